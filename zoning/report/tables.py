"""Read a candidates table (CSV or Excel) and write results (Excel, CSV, GeoJSON).

Reading is forgiving, as files come from Excel: UTF-8, UTF-8 with BOM or
Windows-1252; ``,`` ``;`` or tab; a title row above the header; blank lines. Every
cell is read as text. Writing neutralises spreadsheet formulas (a cell starting with
``= + - @`` gets a leading apostrophe) so that a name cannot run code in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.report.columns import score_header

log = logging.getLogger(__name__)

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_HEADER_SEARCH_ROWS = 10
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class InputTable:
    """Cells of an input file as text; ``lines[i]`` is the file line/row of ``rows[i]``."""

    path: Path
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str | None
    header_line: int


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path.name} : encodage non reconnu (UTF-8 ou Windows-1252 attendu), "
            f"octet illisible à la position {exc.start}"
        ) from exc


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the sample lines most consistently into most columns."""
    best, best_score = ",", (-1, -1)
    for sep in (";", ",", "\t", "|"):
        counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines if line.strip()]
        if not counts:
            continue
        widest = max(counts)
        score = (widest if widest > 1 else 0, sum(c == widest for c in counts))
        if score > best_score:
            best, best_score = sep, score
    return best


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _find_header(grid: list[list[str]], path: Path) -> int:
    scores = [score_header(row) for row in grid[:_HEADER_SEARCH_ROWS]]
    if not scores or max(scores) == 0:
        first = " | ".join(grid[0]) if grid else "(fichier vide)"
        raise InvalidInputError(
            f"{path.name} : aucune ligne d'en-tête reconnue dans les {_HEADER_SEARCH_ROWS} "
            f"premières lignes (première ligne : {first[:200]})"
        )
    return scores.index(max(scores))


def _read_csv(path: Path) -> tuple[list[list[str]], str, str]:
    text, encoding = _decode(path.read_bytes(), path)
    lines = text.splitlines()
    sep = _delimiter(lines[: _HEADER_SEARCH_ROWS + 20])
    try:
        grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=sep)]
    except csv.Error as exc:
        raise InvalidInputError(f"{path.name} : CSV illisible ({exc})") from exc
    return grid, encoding, sep


def _read_excel(path: Path, sheet: str | None) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InvalidInputError(f"{path.name} : classeur Excel illisible ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(book.sheetnames)
            raise InvalidInputError(f"{path.name} : pas de feuille « {sheet} » ({names})")
        ws = book[sheet] if sheet else book.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()


def read_input(path: Path, sheet: str | None = None) -> InputTable:
    """Read a CSV or Excel file of candidate posts, every cell as text.

    Blank lines inside the data are kept (they become rows reported as blank);
    blank lines after the last data row are dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"fichier introuvable : {path}")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid, encoding, sep = _read_excel(path, sheet), "xlsx", None
    elif path.suffix.lower() == ".xls":
        raise InvalidInputError(
            f"{path.name} : format .xls (Excel 97) non lu ; enregistrez "
            "le fichier en .xlsx ou en CSV"
        )
    else:
        grid, encoding, sep = _read_csv(path)
    header_at = _find_header(grid, path)
    headers = [h.strip() for h in grid[header_at]]
    while headers and not headers[-1]:
        headers.pop()
    headers = [h or f"colonne_{i + 1}" for i, h in enumerate(headers)]
    body = grid[header_at + 1 :]
    lines = list(range(header_at + 2, header_at + 2 + len(body)))
    while body and not any(body[-1]):
        body.pop()
        lines.pop()
    log.info(
        "read %s: %d rows, encoding %s, delimiter %r, header on line %d",
        path.name,
        len(body),
        encoding,
        sep,
        header_at + 1,
    )
    return InputTable(path, headers, body, lines, encoding, sep, header_at + 1)


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

    Written by ``rust_xlsxwriter`` (through rustpy-xlsxwriter), streaming rows, text
    always as text cells: ten thousand rows of forty columns took most of a batch's
    time with openpyxl (~6x slower) or XlsxWriter (~5x slower). Its records are keyed
    by header, so a sheet whose headers repeat (a user's file may have two columns of
    the same name), or an empty sheet, goes through XlsxWriter instead.
    """
    if any(not rows or len(set(h)) != len(h) for h, rows in sheets.values()):
        _write_excel_slow(path, sheets)
        return
    from rustpy_xlsxwriter import FastExcel

    book = FastExcel(str(path)).format(bold_headers=True, datetime_format="dd/mm/yyyy")
    book.freeze(row=1)
    for name, (headers, rows) in sheets.items():
        keys = [neutralise(h) for h in headers]
        records = [dict(zip(keys, _row_values(row), strict=False)) for row in rows]
        book.sheet(name[:31], records, column_widths=_widths(headers, rows))
    book.save()


def _row_values(row: Sequence[Any]) -> list[Any]:
    """Cells as written: text neutralised, other types the writer knows as they are."""
    out = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append("'" + value if value.startswith(_FORMULA_START) else value)
        elif kind in _NATIVE:
            out.append(value)
        else:
            out.append(_xlsx_value(neutralise(value)))
    return out


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths from the header and the first rows."""
    widths = []
    for i, header in enumerate(headers):
        sample = [len(str(r[i])) for r in rows[:200] if i < len(r) and r[i]]
        widths.append(float(min(60, max(8, max([len(str(header)), *sample]) + 2))))
    return widths


def _write_excel_slow(
    path: Path, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]
) -> None:
    """:func:`write_excel` for sheets with repeated headers (XlsxWriter, constant memory)."""
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "default_date_format": "dd/mm/yyyy",
    }
    with xlsxwriter.Workbook(str(path), options) as book:
        bold = book.add_format({"bold": True})
        for name, (headers, rows) in sheets.items():
            ws = book.add_worksheet(name[:31])
            for i, width in enumerate(_widths(headers, rows)):
                ws.set_column(i, i, width)
            ws.freeze_panes(1, 0)
            ws.write_row(0, 0, [neutralise(h) for h in headers], bold)
            for number, row in enumerate(rows, start=1):
                ws.write_row(number, 0, _row_values(row))


#: Cell types written as they are (checked by exact type: the per-cell fast path).
_NATIVE = frozenset({int, float, bool, type(None), dt.date, dt.datetime})


def _xlsx_value(value: Any) -> Any:
    """A value XlsxWriter writes: numbers, text, booleans, dates as they are, else text."""
    import datetime as dt
    import numbers

    if value is None or isinstance(value, str | bool | numbers.Number | dt.date | dt.time):
        return value
    return neutralise(str(value))


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
