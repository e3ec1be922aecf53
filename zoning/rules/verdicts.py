"""Verdicts of a criterion and statuses of a post (French, shown to users)."""

from __future__ import annotations

from typing import Literal

Verdict = Literal["ok", "non", "à vérifier", "données invalides"]
OK: Verdict = "ok"
NO: Verdict = "non"
CHECK: Verdict = "à vérifier"
INVALID: Verdict = "données invalides"

Status = Literal["éligible", "non éligible", "à vérifier", "données invalides"]
ELIGIBLE: Status = "éligible"
NOT_ELIGIBLE: Status = "non éligible"
TO_CHECK: Status = "à vérifier"
INVALID_DATA: Status = "données invalides"
STATUSES: tuple[Status, ...] = (ELIGIBLE, NOT_ELIGIBLE, TO_CHECK, INVALID_DATA)


def status_of(verdicts: list[Verdict]) -> Status:
    """Overall status: invalid data first, then any "non", then any doubt."""
    if INVALID in verdicts:
        return INVALID_DATA
    if NO in verdicts:
        return NOT_ELIGIBLE
    if CHECK in verdicts:
        return TO_CHECK
    return ELIGIBLE
