"""Excel workbooks: one sheet per table, header bold and frozen, rows streamed.

rust_xlsxwriter (through rustpy-xlsxwriter) writes what its keyed rows can hold,
XlsxWriter the rest; control characters that XML cannot hold (0x00–0x1F but tab, LF,
CR) are shown as their Unicode « control pictures » (U+2400…) instead of crashing the
writer, and the row is kept. Cells are formula-guarded (:mod:`zoning.io.cells`); the
file is written atomically (:mod:`zoning.io.atomic`).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning.io.atomic import OutputError, atomic_path
from zoning.io.cells import XML_ILLEGAL, excel_value, neutralise
from zoning.io.french import format_number

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
#: Characters Excel refuses in a sheet name.
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Cells of a workbook beyond which its rows are streamed to disk (below: about 100 MB held).
STREAM_CELLS = 1_000_000
#: Rows a sheet holds under its header row (Excel: 1 048 576 rows in all).
EXCEL_MAX_ROWS = 1_048_575


def check_rows_fit(path: str | Path, rows: int) -> None:
    """Refuse, before any work, a workbook output that cannot hold ``rows`` rows.

    Raises
    ------
    OutputError
        ``path`` is an Excel file and ``rows`` is beyond :data:`EXCEL_MAX_ROWS`: the
        message names the formats that can hold them.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES and rows > EXCEL_MAX_ROWS:
        raise OutputError(
            f"{path.name} : {format_number(rows)} lignes, une feuille Excel en tient au "
            f"plus {format_number(EXCEL_MAX_ROWS)} : écrivez en .csv (ou .parquet quand la "
            "commande le permet)"
        )


Sheet = tuple[Sequence[Any], Sequence[Sequence[Any]]]


def write_excel(path: str | Path, sheets: Mapping[str, Sheet]) -> Path:
    """One sheet per entry (name -> headers, rows), header bold and frozen.

    Text is always written as text (never read as a formula, a link or a number),
    dates with a French date format; cells go through :func:`excel_value`.

    The writer is rust_xlsxwriter (through rustpy-xlsxwriter), rows streamed: on a batch
    of ten thousand rows of 37 columns it wrote the file in 0.6 s where XlsxWriter took
    2.2 s (and openpyxl's write-only mode 4.6 s); the Excel file was half the run. Its
    rows are keyed by header, so a sheet whose headers repeat (a user's file may have
    two columns of the same name), a sheet with no row and a sheet holding a time of day
    go through XlsxWriter instead (beyond :data:`STREAM_CELLS` cells, in its constant
    memory mode).
    """
    # Headers and names cleaned now; cells as each row is written (the rows are not
    # copied: a large sheet is held once).
    for _, rows in sheets.values():
        if isinstance(rows, Sequence):
            check_rows_fit(path, len(rows))
    ready = {
        _SHEET_ILLEGAL.sub("", XML_ILLEGAL.sub("", str(name)))[:31]: (
            [excel_value(h) for h in headers],
            rows,
        )
        for name, (headers, rows) in sheets.items()
    }
    with atomic_path(path) as tmp:
        if _keyed_rows_fit(ready):
            _write_rust(tmp, ready)
        else:
            _write_xlsxwriter(tmp, ready)
    return Path(path)


def _keyed_rows_fit(sheets: Mapping[str, Sheet]) -> bool:
    """Whether every sheet can be written as rows keyed by header (see :func:`write_excel`)."""
    for headers, rows in sheets.values():
        keys = _keys(headers)
        if not rows or len(set(keys)) != len(keys) or "" in keys:
            return False
        for row in rows:
            if len(row) > len(keys):
                return False
            for value in row:
                # Judged on the cell as written (a numpy or pandas date becomes a datetime).
                if type(value) not in _PLAIN and isinstance(
                    excel_value(value), (dt.datetime, dt.time)
                ):
                    return False
    return True


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _keys(headers: Sequence[Any]) -> list[str]:
    return ["" if h is None else str(h) for h in headers]


def _cells(row: Sequence[Any]) -> list[Any]:
    return [excel_value(v) for v in row]


def _widths(headers: Sequence[Any], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths from the header and the first 200 rows as written (8 to 60
    characters)."""
    head = [_cells(r) for r in rows[:200]]
    widths = []
    for i, header in enumerate(headers):
        sample = [len(str(r[i])) for r in head if i < len(r) and r[i] is not None]
        widths.append(float(min(60, max(8, max([len(str(header)), *sample]) + 2))))
    return widths


def _write_rust(tmp: Path, sheets: Mapping[str, Sheet]) -> None:
    from rustpy_xlsxwriter import FastExcel

    book = FastExcel(str(tmp)).format(bold_headers=True, datetime_format="dd/mm/yyyy")
    book.freeze(row=1, col=0)
    for name, (headers, rows) in sheets.items():
        book.sheet(name, _records(headers, rows), column_widths=_widths(headers, rows))
    with _rust_stderr_logged():
        try:
            book.save()
        except OSError as exc:
            # The writer's OSError carries its errno only in words (« … (os error 28) »):
            # given back, so that a full disk is said as such (zoning.io.atomic).
            found = re.search(r"os error (\d+)", str(exc))
            if exc.errno is None and found:
                code = int(found[1])
                raise OSError(code, os.strerror(code)) from exc
            raise


@contextmanager
def _rust_stderr_logged() -> Iterator[None]:
    """The Rust writer prints its own failures on the process's stderr (« ZipWriter::drop:
    failed to finalize archive: Io(Os { code: 28, … }) ») before raising: that text is
    kept out of the person's terminal and logged (debug) instead; the error that follows
    is said in French."""
    sys.stderr.flush()
    read_end, write_end = os.pipe()  # its few lines fit in the pipe's buffer
    os.set_blocking(write_end, False)
    saved = os.dup(2)
    os.dup2(write_end, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            text = pipe.read().decode("utf-8", "replace").strip()
        if text:
            log.debug("xlsx writer said: %s", text)


def _records(headers: Sequence[Any], rows: Sequence[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Rows as records keyed by header, made as the writer asks for them (at ``save``).

    Every record holds every key: the writer takes its columns from the first record,
    and would shift the cells of a later row that has more.
    """
    keys = _keys(headers)
    blank = [None] * len(keys)
    for row in rows:
        cells = _cells(row)
        cells.extend(blank[len(cells) :])
        yield dict(zip(keys, cells, strict=True))


def _write_xlsxwriter(tmp: Path, sheets: Mapping[str, Sheet]) -> None:
    import tempfile

    import xlsxwriter

    cells = sum(len(rows) * max(1, len(headers)) for headers, rows in sheets.values())
    # xlsxwriter's parts are written to temporary files first: in a folder of our own,
    # removed even when the disk fills up (they were left beside the output).
    with tempfile.TemporaryDirectory(prefix=".zoning-xlsx-", dir=Path(tmp).parent) as parts:
        _fill_xlsxwriter(xlsxwriter, tmp, sheets, cells, parts)


def _fill_xlsxwriter(
    xlsxwriter: Any, tmp: Path, sheets: Mapping[str, Sheet], cells: int, parts: str
) -> None:
    book = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": cells > STREAM_CELLS,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
            "tmpdir": parts,
        },
    )
    try:
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        moment = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        for name, (headers, rows) in sheets.items():
            ws = book.add_worksheet(name)
            for i, width in enumerate(_widths(headers, rows)):
                ws.set_column(i, i, width)
            ws.freeze_panes(1, 0)
            ws.write_row(0, 0, headers, bold)
            for number, row in enumerate(rows, start=1):
                for col, value in enumerate(row):
                    _write_cell(ws, number, col, excel_value(value), day, moment)
    finally:
        _close_book(book)


def _close_book(book: Any) -> None:
    """Close an xlsxwriter book; a write that failed (full disk...) is raised as the
    plain OSError it wraps, so that zoning.io.atomic says it in French. The half-written
    archive complains again when collected (« Exception ignored in ZipFile.__del__ »):
    collected here, its complaint logged."""
    from xlsxwriter.exceptions import FileCreateError

    hook = sys.unraisablehook
    sys.unraisablehook = _log_unraisable
    try:
        try:
            book.close()
            return
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else None
            if not isinstance(cause, OSError):
                raise
            failed = OSError(cause.errno, cause.strerror)
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise failed


def _log_unraisable(unraisable: Any) -> None:
    log.debug("xlsx writer, while closing: %r", unraisable.exc_value)


def _write_cell(ws: Any, row: int, col: int, value: Any, day: Any, moment: Any) -> None:
    """One cell by its Python type (``excel_value`` has already cleaned it)."""
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), moment)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, day)
    else:  # a time of day, or what excel_value let through: its text
        ws.write_string(row, col, neutralise(str(value)))


def frame_sheet(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """A DataFrame as ``(headers, rows)`` for the table writers (missing values as None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [str(c) for c in clean.columns], clean.to_numpy(dtype=object).tolist()
