"""Territorial premium ("prime d'exercice territorial") from the programme's tiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zoning.io.french import format_amount
from zoning.reasons import needs_code
from zoning.rules.distance import DistanceVerdict
from zoning.rules.programme import PremiumRules, PremiumTier
from zoning.rules.verdicts import CHECK, NO, OK, Verdict


@dataclass(frozen=True)
class PremiumResult:
    """Monthly premium of a post, with its verdict and French reason.

    ``amount`` is the premium due when the verdict is ``ok`` (0 when ``non``); when
    the verdict is ``à vérifier`` it is None and ``amount_if_confirmed`` gives the
    amount due if every uncertain distance is confirmed.
    """

    verdict: Verdict
    reason: str
    #: The reason's code in the catalogue (:mod:`zoning.reasons`); None when the premium is due.
    code: str | None
    amount: float | None
    amount_if_confirmed: float | None
    half_days: float
    sites: int

    def __post_init__(self) -> None:
        needs_code(self.verdict in (CHECK, NO), self.code, self.reason)


def tier_amount(half_days: float, other_sites: int, tiers: Sequence[PremiumTier]) -> float:
    """Monthly amount for ``half_days`` a week outside the main site on ``other_sites`` sites.

    The highest amount among the matching tiers; 0 when none matches (under one
    half-day a week).
    """
    amounts = [t.amount for t in tiers if t.matches(half_days, other_sites)]
    return max(amounts, default=0.0)


def _half_days(value: float) -> str:
    return f"{value:g}".replace(".", ",") + " demi-journée" + ("s" if value > 1 else "")


def premium(sites: Sequence[tuple[float, DistanceVerdict]], rules: PremiumRules) -> PremiumResult:
    """Premium of a post from its other sites: (weekly half-days there, distance verdict).

    Only sites that meet the distance rule (or hold a derogation) count, both for the
    half-days and for the number of sites.
    """
    sure = [(h, d) for h, d in sites if d.verdict == OK and h > 0]
    doubt = [(h, d) for h, d in sites if d.verdict == CHECK and h > 0]
    sure_days = sum(h for h, _ in sure)
    amount = tier_amount(sure_days, len(sure), rules.tiers)
    limit = f"{rules.min_distance_km:g} km"
    if doubt:
        all_days = sure_days + sum(h for h, _ in doubt)
        best = tier_amount(all_days, len(sure) + len(doubt), rules.tiers)
        reason = (
            f"à vérifier : {format_amount(best, 'short')} par mois si la distance routière "
            f"d'au moins un site atteint {limit} ({format_amount(amount, 'short')} sur les "
            "seuls sites confirmés)"
        )
        return PremiumResult(
            CHECK,
            reason,
            "PRIME-DISTANCE-A-CONFIRMER",
            None,
            best,
            all_days,
            len(sure) + len(doubt),
        )
    if not sure:
        if sites and all(h > 0 for h, _ in sites):
            reason = f"aucun site à {limit} ou plus du site principal"
            code = "PRIME-AUCUN-SITE-ELOIGNE"
        else:
            reason = f"pas de demi-journée hors du site principal à {limit} ou plus"
            code = "PRIME-AUCUNE-DEMI-JOURNEE"
        return PremiumResult(NO, reason, code, 0.0, 0.0, 0.0, 0)
    where = f"{len(sure)} site{'s' if len(sure) > 1 else ''}"
    if amount == 0:
        return PremiumResult(
            NO,
            f"{_half_days(sure_days)} par semaine hors site principal : sous le premier palier",
            "PRIME-SOUS-PALIER",
            0.0,
            0.0,
            sure_days,
            len(sure),
        )
    reason = (
        f"{format_amount(amount, 'short')} brut par mois : {_half_days(sure_days)} "
        f"par semaine sur {where}"
    )
    return PremiumResult(OK, reason, None, amount, amount, sure_days, len(sure))
