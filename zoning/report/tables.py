"""Write batch results (Excel, CSV, GeoJSON); reading is :mod:`zoning.io.read`'s.

Writing neutralises spreadsheet formulas (a cell starting with
``= + - @`` gets a leading apostrophe) so that a name cannot run code in Excel.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV for Excel users: UTF-8 with BOM, ``;`` separated, formulas neutralised."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])


def write_excel(
    path: Path,
    sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]],
) -> None:
    """One sheet per entry (name -> headers, rows), formulas neutralised, header frozen.

    Streams rows (openpyxl write-only mode): ten thousand rows of sixty columns would
    otherwise take most of a batch's time.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (headers, rows) in sheets.items():
        ws = book.create_sheet(title=name[:31])
        for i, header in enumerate(headers, start=1):
            sample = [len(str(r[i - 1])) for r in rows[:200] if i - 1 < len(r) and r[i - 1]]
            width = max([len(str(header)), *sample])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=neutralise(header))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([neutralise(v) for v in row])
    book.save(path)


def write_geojson(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    points: Sequence[tuple[float, float] | None],
    meta: Mapping[str, Any],
) -> None:
    """A FeatureCollection, one feature per row (null geometry when the row has no point)."""
    features = []
    for row, point in zip(rows, points, strict=True):
        geometry = {"type": "Point", "coordinates": list(point)} if point else None
        props = {h: v for h, v in zip(headers, row, strict=False)}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "metadata": dict(meta), "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
