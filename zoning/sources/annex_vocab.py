"""Words of a decree annex: class spellings and column headers (``annex.toml``).

An annex writes a class « ZIP », « zone d'intervention prioritaire », « 1_ZIP », and a
CartoSanté export adds infra-communal classes such as « 3_QPV_ZIP » (the commune's QPV
are classed ZIP, not the whole commune) or « 8_GQ_ZIP ». Every reader of annexes
(tables, PDF, CartoSanté) asks this module what a label or a header means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from zoning.io.headers import load_vocabulary
from zoning.sources.names import normalize_name

VOCABULARY = load_vocabulary("annex")
#: Normalised spelling -> class. Leading ranks (« 1_ZIP ») are dropped before lookup.
CLASS_SPELLINGS: dict[str, str] = dict(VOCABULARY.data["classes"])
_RANK = re.compile(r"^\d+\s+")
#: Infra-communal levels of CartoSanté codes (« 3_QPV_ZIP », « 7_GQ_ZAC ») -> French name.
LEVEL_NAMES: dict[str, str] = dict(VOCABULARY.data["levels"])
QPV_CODE = re.compile(r"^Q[NP]\d{3,}[A-Z]?\w*$")


@dataclass(frozen=True)
class ClassLabel:
    """What a class label means: the class, and the level it applies to.

    ``level`` is ``""`` for the whole commune (or TVS), « QPV » or « GQ » for a part of it
    (CartoSanté's « 3_QPV_ZIP »); ``raw`` is the label as written, kept for the answers.
    """

    zone: str
    level: str = ""
    raw: str = ""


def read_class(label: str) -> ClassLabel | None:
    """The class and level a label means (``None`` when not recognised)."""
    norm = _RANK.sub("", normalize_name(label))
    first, _, rest = norm.partition(" ")
    if first in LEVEL_NAMES and rest in CLASS_SPELLINGS:
        return ClassLabel(CLASS_SPELLINGS[rest], first, label.strip())
    zone = CLASS_SPELLINGS.get(norm)
    return ClassLabel(zone, "", label.strip()) if zone else None


def class_of(label: str) -> str | None:
    """The class a commune-level label means (``None`` when not recognised)."""
    read = read_class(label)
    return read.zone if read is not None and not read.level else None


def find_class(text: str) -> ClassLabel | None:
    """The class named somewhere in a heading (« TVS de Guéret — Zone de vigilance »)."""
    norm = normalize_name(text)
    for spelling in sorted(CLASS_SPELLINGS, key=len, reverse=True):
        if re.search(rf"(^|\s){re.escape(spelling)}(\s|$)", norm) and len(spelling) > 3:
            return ClassLabel(CLASS_SPELLINGS[spelling], "", text.strip())
    words = set(norm.split())
    # Abbreviations only as whole words: « ZIP » yes, « ZIPPO » no.
    hits = {CLASS_SPELLINGS[w] for w in words if w in CLASS_SPELLINGS}
    return ClassLabel(hits.pop(), "", text.strip()) if len(hits) == 1 else None


def column_roles(headers: Sequence[str]) -> dict[str, int]:
    """Role -> column index, by exact spelling first, then by a spelling inside a header."""
    return VOCABULARY.match(headers)


def annex_header_score(cells: Sequence[str]) -> float:
    """A header row names a class column and a commune (or QPV, or TVS) column."""
    roles = column_roles(list(cells))
    return (
        float(len(roles))
        if "zone" in roles and {"code", "name", "qpv", "tvs"} & set(roles)
        else 0.0
    )
