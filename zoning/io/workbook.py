"""Workbooks as people make them: bounded before reading, merged cells, hidden rows.

- **Bounded**: an xlsx or ods is a zip; the expanded size of its parts is checked from
  the zip directory *before* anything is decompressed (an absolute ceiling and a
  compression ratio, :func:`zoning.settings.expansion_limits`), so a 2 MB file whose
  sheet expands to 2 GB is refused at once, on the command line and the web alike.
- **Merged cells**: the value of a merged range applies to every cell it spans (a
  « Département » merged over the rows of its communes), from calamine's merged ranges
  (xlsx) or the ODS spans.
- **Hidden rows and columns** are read, and said: :func:`hidden` returns them so that
  the table can carry « colonne masquée : X » notes.

The sheet's XML is walked with ``iterparse`` (elements cleared as they go): only the
``<col>``/``<row>`` attributes are kept, never the cells.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from zoning.errors import InvalidInputError

_MB = 1 << 20
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def check_expansion(path: Path) -> None:
    """Refuse a workbook whose zip parts would expand beyond the limits (not decompressed).

    Raises
    ------
    InvalidInputError
        Expanded size over ``ZONING_MAX_EXPANDED_MB`` in all, or a large part compressed
        more than ``ZONING_MAX_ZIP_RATIO`` times (a decompression bomb).
    """
    from zoning.settings import expansion_limits

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip (an old .xls): calamine says what is wrong with it
    try:
        limits = expansion_limits()
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path.name} : réglage invalide : {exc}") from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_bytes:
        raise InvalidInputError(
            f"{path.name} : classeur refusé : il occuperait {total / _MB:.0f} Mo une fois "
            f"décompressé (au plus {limits.max_bytes / _MB:.0f} Mo, ZONING_MAX_EXPANDED_MB) ; "
            "enregistrez-le en CSV"
        )
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.ratio_from_bytes and ratio > limits.max_ratio:
            raise InvalidInputError(
                f"{path.name} : classeur refusé : la partie « {info.filename} » se décompresse "
                f"{ratio:.0f} fois ({info.file_size / _MB:.0f} Mo ; au plus "
                f"{limits.max_ratio:.0f} fois, ZONING_MAX_ZIP_RATIO) : fichier piégé ou anormal"
            )


def _iter_elements(stream: IO[bytes], tags: set[str]) -> Iterator[ElementTree.Element]:
    """Start elements of the given tags, the tree cleared as it goes."""
    for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start" and elem.tag.rsplit("}", 1)[-1] in tags:
            yield elem
        elif event == "end" and elem.tag.rsplit("}", 1)[-1] in ("row", "table-row"):
            elem.clear()


def _xlsx_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip part of a named sheet (workbook.xml + its relationships)."""
    with archive.open("xl/workbook.xml") as stream:
        rid = next(
            (e.get(_REL) for e in _iter_elements(stream, {"sheet"}) if e.get("name") == sheet),
            None,
        )
    with archive.open("xl/_rels/workbook.xml.rels") as stream:
        rels = _iter_elements(stream, {"Relationship"})
        target = next((e.get("Target") for e in rels if e.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


@dataclass
class Layout:
    """What a sheet's cells do not say: hidden rows and columns, merged ranges.

    Rows and columns are 1-based; a merged range is (first row, first column, last
    row, last column), 0-based, as the grid's indexes.
    """

    hidden_rows: list[int] = field(default_factory=list)
    hidden_cols: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


_CELL = re.compile(r"^([A-Za-z]+)(\d+)$")
#: Hidden rows or columns listed at most (a sheet may hide a million rows).
_MOST = 1000


def _cell(ref: str) -> tuple[int, int]:
    """« B3 » -> (2, 1), 0-based row and column."""
    match = _CELL.match(ref)
    if match is None:
        raise ValueError(ref)
    number = 0
    for char in match[1].upper():
        number = number * 26 + ord(char) - 64
    return int(match[2]) - 1, number - 1


def _xlsx_layout(archive: zipfile.ZipFile, sheet: str) -> Layout:
    layout = Layout()
    part = _xlsx_part(archive, sheet)
    if part is None:
        return layout
    with archive.open(part) as stream:
        for elem in _iter_elements(stream, {"col", "row", "mergeCell"}):
            kind = elem.tag.rsplit("}", 1)[-1]
            if kind == "mergeCell" and ":" in elem.get("ref", ""):
                first, last = elem.get("ref", "").split(":", 1)
                layout.merged.append((*_cell(first), *_cell(last)))
            elif elem.get("hidden") not in ("1", "true"):
                continue
            elif kind == "col":
                low, high = int(elem.get("min", "0")), int(elem.get("max", "0"))
                layout.hidden_cols.extend(range(low, min(high, low + _MOST) + 1))
            elif elem.get("r") and len(layout.hidden_rows) < _MOST:
                layout.hidden_rows.append(int(elem.get("r", "0")))
    return layout


def _ods_int(elem: ElementTree.Element, name: str, most: int) -> int:
    return max(1, min(int(elem.get(f"{_ODS_TABLE}{name}", "1")), most))


def _ods_layout(archive: zipfile.ZipFile, sheet: str) -> Layout:
    layout = Layout()
    row = col = cell = 0  # rows and columns seen, cell position in the current row
    inside = False
    tags = {"table", "table-row", "table-column", "table-cell", "covered-table-cell"}
    with archive.open("content.xml") as stream:
        for elem in _iter_elements(stream, tags):
            kind = elem.tag.rsplit("}", 1)[-1]
            if kind == "table":
                inside = elem.get(f"{_ODS_TABLE}name") == sheet
                continue
            if not inside:
                continue
            hidden = elem.get(f"{_ODS_TABLE}visibility", "visible") != "visible"
            if kind == "table-column":
                repeat = _ods_int(elem, "number-columns-repeated", 16384)
                if hidden:
                    layout.hidden_cols.extend(range(col + 1, col + min(repeat, _MOST) + 1))
                col += repeat
            elif kind == "table-row":
                repeat = _ods_int(elem, "number-rows-repeated", 1 << 20)
                if hidden and len(layout.hidden_rows) < _MOST:
                    layout.hidden_rows.extend(range(row + 1, row + min(repeat, _MOST) + 1))
                row += repeat
                cell = 0
            else:
                rows_spanned = _ods_int(elem, "number-rows-spanned", 1 << 20)
                cols_spanned = _ods_int(elem, "number-columns-spanned", 16384)
                if kind == "table-cell" and (rows_spanned > 1 or cols_spanned > 1):
                    layout.merged.append(
                        (row - 1, cell, row - 2 + rows_spanned, cell + cols_spanned - 1)
                    )
                cell += _ods_int(elem, "number-columns-repeated", 16384)
    return layout


def layout(path: Path, sheet: str) -> Layout:
    """Hidden rows, hidden columns and merged ranges of a sheet (xlsx or ods)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return _xlsx_layout(archive, sheet)
            if "content.xml" in names:
                return _ods_layout(archive, sheet)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError):
        pass  # the cells were read: the layout adds to them, it is not worth a refusal
    return Layout()


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def spread_merged(grid: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> None:
    """Give the rows a merged range spans the value of its first cell (in place).

    Down its first column only: a « Département » merged over the rows of its communes
    belongs to each row; a title merged across the columns is one title (spread, it
    would look like a header of as many cells).
    """
    for r0, c0, r1, _ in ranges:
        if r1 <= r0 or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for row in grid[r0 + 1 : r1 + 1]:
            if c0 < len(row) and not row[c0]:
                row[c0] = value
