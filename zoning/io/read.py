"""The one reader of user tables: CSV (any encoding Excel writes), Excel and ODS.

Every command that reads a user's table (``batch``, ``geocode``, ``map posts``,
``import-decree``, the web upload) reads it here, and ``assign`` streams its CSV
through the same record parser (:mod:`zoning.io.csvstream`), so that they accept the
same files and refuse the same ones with the same French messages.

- CSV: the encoding is decided **per line** (:mod:`zoning.io.decoding`: UTF-8 first,
  Windows-1252 for a line that is not, a UTF-8 BOM dropped, UTF-16 with a BOM read);
  records, not lines, are cut by :mod:`zoning.io.records` (quoted cells holding line
  breaks, ``""``, no cell size limit, the delimiter sniffed on records), each with
  the physical line it starts on; an unclosed quote is refused with its line.
- Excel (.xlsx .xlsm .xls) and ODS through python-calamine, which counts rows from
  the sheet data (an understated ``<dimension>`` tag loses nothing); the sheet is
  chosen by content (a Démarches Simplifiées workbook's « Dossiers ») unless named.
  The kind of file is decided by its bytes, not by its extension. Before reading, the
  zip's expanded size is bounded; merged cells are spread over the cells they cover,
  hidden rows and columns said (:mod:`zoning.io.workbook`).
- The header row is found by content (a title row above it is fine); blank trailing
  rows are dropped; totals, subtotals and notes rows are set apart with their line
  (:mod:`zoning.io.rowkinds`, ``Table.skipped_rows``); every other row is kept with
  its line number in the file.

A file that cannot be read raises :class:`~zoning.errors.InvalidInputError` with a
French message naming the file (and the line when there is one).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.decoding import decode, looks_binary
from zoning.io.records import iter_records, sniff_delimiter
from zoning.io.rowkinds import set_apart
from zoning.io.table import Table
from zoning.io.workbook import check_expansion, column_letters, layout, spread_merged

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
HEADER_SEARCH_ROWS = 10
#: First bytes of a workbook: a zip (xlsx, ods) or an OLE file (xls).
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

#: Scores a candidate header row (higher is better, 0 is "not a header").
HeaderScorer = Callable[[Sequence[str]], float]


# --- grids -------------------------------------------------------------------------------


def _csv_grid(lines: Sequence[str], sep: str, path: Path) -> tuple[list[list[str]], list[int]]:
    """Records of cells and the physical line where each starts (:mod:`zoning.io.records`)."""
    grid: list[list[str]] = []
    starts: list[int] = []
    for start, cells in iter_records(lines, sep, path.name):
        grid.append(cells)
        starts.append(start)
    return grid, starts


def cell_text(value: Any) -> str:
    """A workbook cell as text: dates in ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


def _workbook(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    check_expansion(path)

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own and zip/xml errors for a bad file
        raise InvalidInputError(
            f"{path.name} : classeur illisible (fichier tronqué, protégé ou d'un autre format : "
            f"{type(exc).__name__})"
        ) from exc


def sheet_names(path: Path) -> list[str]:
    """Sheets of a workbook, in order."""
    return list(_workbook(Path(path)).sheet_names)


def _sheet_grid(book: Any, name: str, path: Path, limit: int | None = None) -> list[list[str]]:
    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.iter_rows() if limit else sheet.to_python(skip_empty_area=False)
        grid = []
        for row in rows:
            grid.append([cell_text(v) for v in row])
            if limit and len(grid) >= limit:
                break
    except Exception as exc:
        raise InvalidInputError(
            f"{path.name} : feuille « {name} » illisible ({type(exc).__name__} : {exc})"
        ) from exc
    return grid


def _header_at(grid: Sequence[Sequence[str]], scorer: HeaderScorer) -> tuple[int, float]:
    scores = [scorer(row) for row in grid[:HEADER_SEARCH_ROWS]]
    if not scores:
        return 0, 0.0
    best = max(scores)
    return scores.index(best), best


def default_header_score(cells: Sequence[str]) -> float:
    """Text cells that are not numbers or dates: a header has several, a title one."""
    from zoning.io.values import to_date, to_number

    return float(sum(1 for c in cells if c.strip() and to_number(c) is None and to_date(c) is None))


def _kind(path: Path, head: bytes) -> str:
    """« workbook » or « text », from the bytes (the extension may lie)."""
    if head.startswith(WORKBOOK_MAGIC):
        return "workbook"
    if head.startswith(b"%PDF"):
        raise InvalidInputError(
            f"{path.name} : document PDF, format non lu : convertissez d'abord le tableau "
            "qu'il contient en .xlsx, .ods ou .csv"
        )
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype", b"<html", b"<table", b"<?xml")):
        raise InvalidInputError(
            f"{path.name} : page HTML ou XML, pas un tableau : ouvrez-la dans le tableur et "
            "enregistrez-la en .xlsx ou .csv"
        )
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        if looks_binary(head):
            return "workbook"  # calamine says what is wrong with it
        log.warning("%s: extension %s but the content is text, read as CSV", path.name, path.suffix)
    return "text"


def read_table(
    path: Path | str,
    sheet: str | None = None,
    header_score: HeaderScorer | None = None,
    *,
    what: str = "tableau",
) -> Table:
    """Read a user's table (CSV, Excel or ODS), every cell as text.

    Parameters
    ----------
    path
        The file. Its kind is decided by its bytes (a renamed workbook is read).
    sheet
        Sheet to read in a workbook; by default the one whose header scores best
        (for a Démarches Simplifiées export, « Dossiers »).
    header_score
        Scores a candidate header row; by default the number of text cells. A row
        scoring 0 is not a header.
    what
        What the table is, for messages (« liste de candidats »).

    Raises
    ------
    InvalidInputError
        Missing, empty, binary, truncated or unreadable file, unknown sheet, no header.
    """
    path = Path(path)
    scorer = header_score or default_header_score
    if not path.is_file():
        raise InvalidInputError(f"fichier introuvable : {path}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path.name} : lecture impossible ({exc.strerror})") from exc
    if not raw.strip():
        raise InvalidInputError(f"{path.name} : fichier vide")
    sheets: tuple[str, ...] = ()
    cp1252: tuple[int, ...] = ()
    notes: list[str] = []
    if _kind(path, raw[:4096]) == "workbook":
        book = _workbook(path)
        sheets = tuple(book.sheet_names)
        if sheet is not None and sheet not in sheets:
            raise InvalidInputError(
                f"{path.name} : pas de feuille « {sheet} » (feuilles : {', '.join(sheets)})"
            )
        if sheet is None:
            if not sheets:
                raise InvalidInputError(f"{path.name} : classeur sans feuille")
            ranked = [
                (_header_at(_sheet_grid(book, s, path, HEADER_SEARCH_ROWS), scorer)[1], -i, s)
                for i, s in enumerate(sheets)
            ]
            sheet = max(ranked)[2]
        grid = _sheet_grid(book, sheet, path)
        lines = list(range(1, len(grid) + 1))
        notes = _apply_layout(path, sheet, grid)
        encoding, sep = "classeur", None
    else:
        decoded = decode(raw, path)
        sep = sniff_delimiter(decoded.lines)
        grid, lines = _csv_grid(decoded.lines, sep, path)
        encoding, cp1252 = decoded.encoding, decoded.cp1252_lines
    # Blank rows before the header are not candidates (a title block may have gaps).
    at, score = _header_at(grid, scorer)
    if score <= 0:
        first = next((" | ".join(c for c in r if c) for r in grid if any(r)), "")
        raise InvalidInputError(
            f"{path.name} : aucune ligne d'en-tête de {what} reconnue dans les "
            f"{HEADER_SEARCH_ROWS} premières lignes (première ligne : « {first[:200]} »)"
        )
    headers = [h.strip() for h in grid[at]]
    while headers and not headers[-1]:
        headers.pop()
    headers, duplicated = unique_headers(headers)
    body, body_lines = grid[at + 1 :], lines[at + 1 :]
    keep, skipped = set_apart(body, body_lines)
    if skipped:
        body, body_lines = [body[i] for i in keep], [body_lines[i] for i in keep]
        log.info("%s : %d ligne(s) mise(s) à part : %s", path.name, len(skipped), skipped[0][2])
    # Trailing blank lines go; a trailing line of bare separators (« ;;; ») is a row
    # someone wrote, and stays. A workbook's trailing empty rows are formatting.
    while body and not any(c.strip() for c in body[-1]) and (sep is None or len(body[-1]) <= 1):
        body.pop()
        body_lines.pop()
    table = Table(
        path=path,
        headers=headers,
        rows=body,
        lines=body_lines,
        encoding=encoding,
        delimiter=sep,
        header_line=lines[at],
        sheet=sheet,
        sheets=sheets,
        cp1252_lines=cp1252,
        duplicated=duplicated,
        skipped_rows=skipped,
        notes=notes,
    )
    log.info(
        "read %s%s: %d rows, encoding %s, delimiter %r, header on line %d",
        path.name,
        f" [{sheet}]" if sheet else "",
        len(body),
        encoding,
        sep,
        table.header_line,
    )
    return table


def _apply_layout(path: Path, sheet: str, grid: list[list[str]]) -> list[str]:
    """Spread merged values over their cells; say which rows and columns are hidden."""
    found = layout(path, sheet)
    spread_merged(grid, found.merged)
    notes = [f"colonne masquée : {column_letters(c)}" for c in found.hidden_cols[:50]]
    notes += [f"ligne masquée : {r}" for r in found.hidden_rows[:50]]
    if found.merged:
        shown = ", ".join(
            f"{column_letters(c0 + 1)}{r0 + 1}:{column_letters(c1 + 1)}{r1 + 1}"
            for r0, c0, r1, c1 in found.merged[:10]
        )
        notes.append(f"cellules fusionnées ({shown}) : la valeur vaut pour chaque ligne")
    return notes


def unique_headers(headers: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    named = [h or f"colonne_{i + 1}" for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    out = []
    duplicated: dict[str, list[str]] = {}
    for h in named:
        seen[h] = seen.get(h, 0) + 1
        name = h if seen[h] == 1 else f"{h} ({seen[h]})"
        out.append(name)
        if seen[h] > 1:
            duplicated.setdefault(h, [h]).append(name)
    return out, duplicated


def read_sheets(path: Path | str, header_score: HeaderScorer | None = None) -> dict[str, Table]:
    """Every non-empty sheet of a workbook as a table (a sheet without header is skipped)."""
    path = Path(path)
    out: dict[str, Table] = {}
    for name in sheet_names(path):
        try:
            out[name] = read_table(path, name, header_score)
        except InvalidInputError as exc:
            log.info("sheet %s skipped: %s", name, exc)
    return out
