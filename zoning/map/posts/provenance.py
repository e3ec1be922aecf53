"""What a batch result says of its run: the programme it checked and its premium threshold.

``zoning batch`` records its provenance beside the rows (GeoJSON metadata, a
``.provenance.txt`` side file, an Excel sheet): ``programme : <id> : <title>`` and the
premium's distance threshold. The map draws that threshold, else the one of the
programme's rules file (:func:`zoning.rules.programme.load_programme`); it invents none.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.errors import InvalidInputError, ZoningError
from zoning.io.read import read_table
from zoning.io.text import snake
from zoning.io.values import to_number
from zoning.report.results import PROVENANCE_THRESHOLD
from zoning.report.writers import SHEET_PROVENANCE
from zoning.rules.programme import list_programmes, load_programme

__all__ = ["Provenance", "known_programme", "programme_threshold", "read_provenance"]


class Provenance(dict[str, str]):
    """The provenance of a batch result, keys folded with :func:`snake` (empty: none)."""

    @property
    def programme(self) -> str | None:
        """The id of the programme the batch ran."""
        value = self.get("programme")
        return value.split(" : ")[0].strip() if value else None

    def threshold(self, programme: str) -> float | None:
        """The premium's distance threshold (km) of ``programme``: recorded by the batch,
        else read from the programme's rules file; None when it has no premium or is
        unknown (then no circle is drawn)."""
        recorded = to_number(self.get(snake(PROVENANCE_THRESHOLD), ""))
        if programme == self.programme and recorded is not None:
            return float(recorded)
        return programme_threshold(programme)


def programme_threshold(programme: str) -> float | None:
    """The premium's distance threshold (km) in the rules file of ``programme``."""
    try:
        rules = load_programme(programme).premium
    except (ZoningError, OSError):
        return None
    return rules.min_distance_km if rules else None


def known_programme(programme: str) -> bool:
    """Whether ``programme`` names a rules file in use."""
    return programme in list_programmes()


def read_provenance(path: Path, frame: pd.DataFrame) -> Provenance:
    """The provenance of a batch result: GeoJSON metadata (``frame.attrs``), side file or
    Excel sheet, first value of each key."""
    pairs = [tuple(p) for p in frame.attrs.get("provenance", []) if len(p) == 2]
    side = path.with_name(f"{path.stem}.provenance.txt")
    if not pairs and side.is_file():
        for line in side.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(" : ")
            pairs.append((key.strip(), value))
    if not pairs and path.suffix.lower() in (".xlsx", ".ods"):
        try:
            sheet = read_table(path, SHEET_PROVENANCE, what="provenance")
        except InvalidInputError:
            sheet = None
        if sheet is not None:
            pairs = [(sheet.headers[0], sheet.headers[1]), *(tuple(r[:2]) for r in sheet.rows)]
    out = Provenance()
    for key, value in pairs:
        out.setdefault(snake(str(key)), str(value).strip())
    return out
