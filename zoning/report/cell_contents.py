"""What a column's cells hold: dates, oui/non, codes, addresses, attachments…

The header says what a column should feed; the cells confirm it, settle a tie between
two readings, or contradict it (:func:`zoning.report.columns.match_columns`). A cell
can be several kinds at once (« 23008 » is a code and a number); a column's
:class:`Profile` is the share of its sampled cells of each kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from zoning.identifiers import is_finess, is_insee, is_postcode, is_rpps
from zoning.io.text import fold
from zoning.io.values import read_date, to_bool, to_half_days, to_months, to_number
from zoning.rules.types import TYPES

_URL = re.compile(r"^\s*(?:https?://|www\.)\S+", re.IGNORECASE)
_FILE = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|heic|tiff?|bmp|docx?|odt|rtf|txt|xlsx?|ods|csv|zip|7z|rar)"
    r"(?:\s*\([^)]*\))?\s*(?:[,;]|$)",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"\b(?:rue|avenue|av|bd|boulevard|place|chemin|route|rte|allee|impasse|quai|cours|square|"
    r"lieu dit|lotissement|residence|zone|za|zi|parc|cite|hameau|faubourg|voie|passage)\b"
)
# A spreadsheet drops the leading zero of the Ain's codes (« 1004 », « 10000024 »).
#: French names of the kinds of contents (for the notes).
KIND_LABELS = {
    "date": "dates", "oui_non": "oui/non", "nombre": "nombres",
    "demi_journees": "demi-journées", "duree": "durées", "insee": "codes INSEE",
    "code_postal": "codes postaux", "finess": "n° FINESS", "rpps": "n° RPPS",
    "commune": "noms courts", "adresse": "adresses", "texte": "texte",
    "piece_jointe": "pièces jointes", "type_structure": "types de structure",
}  # fmt: skip
#: Kinds from the most specific (to describe a column).
_SPECIFIC = (
    "piece_jointe", "date", "oui_non", "finess", "rpps", "insee", "code_postal", "nombre",
    "demi_journees", "duree", "type_structure", "adresse", "commune", "texte",
)  # fmt: skip
#: Cells sampled per column; the share of them that must fit a field's kind to settle a
#: choice, and below which they contradict the header.
SAMPLE = 200
FIT = 0.8
CONTRADICT = 0.5


#: Every wording of a type (« msp », « centre de sante »…), longest first.
_TYPE_WORDINGS = sorted({s for code, (_, syns) in TYPES.items() for s in (*syns, code)}, key=len)[
    ::-1
]
_NAME_LINKS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux"})


def _is_type_wording(value: str) -> bool:
    """« MSP », « Centre de santé municipal », « Cabinet de groupe »: a kind of structure.
    Not « CH de Guéret » nor « Hôpital privé d'Antony »: a name that starts with a kind
    (a name column is not a type column, and the leading word may mislead)."""
    text = fold(value)
    wording = next((w for w in _TYPE_WORDINGS if text == w or text.startswith(w + " ")), None)
    if wording is None:
        return False
    rest = text[len(wording) :].split()
    return len(rest) <= 2 and not (set(rest) & _NAME_LINKS)


@lru_cache(maxsize=65_536)
def cell_kinds(text: str) -> frozenset[str]:
    """What one non-blank cell can be (several at once: « 23008 » is a code and a number)."""
    value = text.strip()
    if _URL.match(value) or _FILE.search(value):
        return frozenset({"piece_jointe"})
    kinds = {"texte"}
    upper = value.upper().replace(" ", "")
    if read_date(value)[1] != "illisible":
        kinds.add("date")
    if to_bool(value) is not None:
        kinds.add("oui_non")
    if to_number(value) is not None:
        kinds.add("nombre")
    if to_half_days(value) is not None:
        kinds.add("demi_journees")
    if to_months(value) is not None:
        kinds.add("duree")
    # The identifiers' own checks: a column of « 9A0000015 » reads as FINESS numbers
    # exactly as the batch will read each of them.
    insee = is_insee(upper)
    if insee:
        kinds.add("insee")
    if is_postcode(upper):
        kinds.add("code_postal")
    if is_finess(upper):
        kinds.add("finess")
    if is_rpps(upper):
        kinds.add("rpps")
    if _is_type_wording(value):
        kinds.add("type_structure")
    folded = fold(value)
    if _STREET.search(folded) and any(c.isdigit() for c in folded):
        kinds.add("adresse")
    elif insee or (len(folded.split()) <= 8 and "date" not in kinds and (
        not any(c.isdigit() for c in folded) or re.search(r"\b\d{5}\b", folded)
    )):  # fmt: skip
        kinds.add("commune")
    return frozenset(kinds)


@dataclass(frozen=True)
class Profile:
    """What a column's cells hold: count of sampled non-blank cells, share of each kind."""

    cells: int
    shares: dict[str, float]
    example: str

    def fit(self, kind: str) -> float:
        """Share of the cells that can be of ``kind`` (« texte » excludes attachments)."""
        return self.shares.get(kind, 0.0)

    def says(self, kind: str | None = None) -> str:
        """French summary: « dates 12/12 (ex. « 01/11/2024 ») », of ``kind`` or of the
        most specific kind most cells have."""
        if kind is None:
            kind = next((k for k in _SPECIFIC if self.fit(k) >= 0.5), "texte")
        share = round(self.fit(kind) * self.cells)
        return f"{KIND_LABELS[kind]} {share}/{self.cells} (ex. « {self.example[:40]} »)"


def profile(cells: Iterable[str]) -> Profile | None:
    """The :class:`Profile` of a column's cells (the first :data:`SAMPLE` non-blank), or None."""
    counts: dict[str, int] = {}
    seen = 0
    example = ""
    for cell in cells:
        if not cell or not cell.strip():
            continue
        example = example or cell.strip()
        seen += 1
        for kind in cell_kinds(cell):
            counts[kind] = counts.get(kind, 0) + 1
        if seen >= SAMPLE:
            break
    if not seen:
        return None
    return Profile(seen, {k: n / seen for k, n in counts.items()}, example)
