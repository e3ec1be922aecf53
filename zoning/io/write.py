"""Every table, map and sidecar the project writes for a user goes through here.

One writer per format, all atomic (:mod:`zoning.io.atomic`: a temporary file renamed
when complete):

- CSV for Excel users: UTF-8 with BOM, ``;``, CRLF line ends, every field holding the
  separator, a quote, CR or LF quoted (a bare CR left unquoted splits a row in two
  when the file is read back);
- XLSX: rust_xlsxwriter (XlsxWriter for what its keyed rows cannot hold), rows
  streamed, bold frozen header; control characters that XML cannot hold (0x00–0x1F but
  tab, LF, CR) are shown as their Unicode « control pictures » (U+2400…) instead of
  crashing the writer, and the row is kept;
- GeoJSON, Parquet, text (HTML pages, provenance sidecars) and binary (PNG) files.

Spreadsheets run a cell starting with ``= + - @`` (or tab/CR) as a formula: text
cells get a leading apostrophe (:func:`neutralise`, the project's only formula guard).
Numbers are never touched, and neither is text that is a plain negative number such
as ``-0.18526`` or ``-0,57``: a spreadsheet reads it as a number, never as a formula,
and an apostrophe would turn a coordinate into text nobody can read back.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import logging
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from zoning.io.atomic import OutputError, atomic_open, atomic_path, write_bytes, write_text

if TYPE_CHECKING:
    import pandas as pd

#: First characters that make a spreadsheet cell a formula (OWASP CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START)
_NEGATIVE_NUMBER = re.compile(r"-(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")
log = logging.getLogger(__name__)
#: Characters XML 1.0 (hence XLSX) cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters Excel refuses in a sheet name.
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")

CSV_SEP = ";"
CSV_ENCODING = "utf-8-sig"
CSV_LINE_END = "\r\n"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Cells of a workbook beyond which its rows are streamed to disk (below: about 100 MB held).
STREAM_CELLS = 1_000_000
#: Characters a spreadsheet cell holds at most.
EXCEL_CELL_CHARS = 32_767
PARQUET_SUFFIXES = (".parquet", ".pq")
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
            f"{path.name} : {_big(rows)} lignes, une feuille Excel en tient au plus "
            f"{_big(EXCEL_MAX_ROWS)} : écrivez en .csv (ou .parquet quand la commande le permet)"
        )


def _big(n: int) -> str:
    """1048575 -> « 1 048 575 » (narrow no-break spaces)."""
    return f"{n:,}".replace(",", "\u202f")


# -- cell values -------------------------------------------------------------------
def neutralise(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    Only ``str`` values are guarded; numbers, dates and ``None`` come back unchanged,
    as does text that is a plain negative number (``-0.5``, ``-0,5``, ``-3e2``).
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` on every text cell and the column names (a copy if anything changes).

    Numeric and boolean columns are left as they are: a number stays a number.
    """
    import pandas as pd

    out = frame
    renamed = [neutralise(c) for c in frame.columns]
    if renamed != list(frame.columns):
        out = frame.copy()
        out.columns = renamed
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue  # dates, categories of numbers...
        try:
            risky = s.str[:1].isin(FORMULA_START).fillna(False).astype(bool)
        except AttributeError:  # an object column holding no text at all
            continue
        if not risky.any():
            continue
        sub = s[risky]
        guard = ~sub.str.fullmatch(_NEGATIVE_NUMBER.pattern).fillna(False).astype(bool)
        if not guard.any():
            continue
        if out is frame:
            out = frame.copy()
        column = out.iloc[:, i].astype(object)
        column[guard[guard].index] = "'" + sub[guard]
        out.isetitem(i, column.to_numpy(dtype=object))
    return out


def excel_value(value: Any) -> Any:
    """A value a spreadsheet holds as it is, formula-guarded.

    NaN, infinities and pandas' missing values become empty cells; characters XML
    cannot hold become their visible « control picture » (``\\x07`` -> ``␇``); text
    beyond a cell's 32 767 characters is cut there (Excel holds no more); other objects
    become text.
    """
    kind = type(value)
    # Text and numbers first, by exact type: a batch sends some hundred thousand cells.
    if kind is str:
        if not value.isprintable() and _XML_ILLEGAL.search(value):
            value = _XML_ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), value)
        if value[:1] in _FORMULA_FIRST:
            value = neutralise(value)
        return value[:EXCEL_CELL_CHARS]
    if kind is int or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or _pandas_missing(value):
        return None
    if isinstance(value, str):  # a str subclass
        return excel_value(str(value))
    if isinstance(value, (int, float)):
        return excel_value(float(value) if isinstance(value, float) else int(value))
    if hasattr(value, "isoformat"):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return excel_value(value.item())
    return excel_value(str(value))


def _pandas_missing(value: Any) -> bool:
    """Whether ``value`` is pandas' NA or NaT (without importing pandas for it: a value
    can only be one of them once pandas is loaded)."""
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _csv_value(value: Any) -> Any:
    if value is None or _pandas_missing(value) or (isinstance(value, float) and math.isnan(value)):
        return ""
    return neutralise(value)


# -- CSV ---------------------------------------------------------------------------
def _csv_writer(handle: IO[str], sep: str) -> Any:
    return csv.writer(handle, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END)


def write_csv(
    path: str | Path,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sep: str = CSV_SEP,
    encoding: str = CSV_ENCODING,
) -> Path:
    """CSV for Excel users: UTF-8 with BOM, ``;``, CRLF, text cells formula-guarded."""
    with atomic_open(path, encoding=encoding, newline="") as handle:
        writer = _csv_writer(handle, sep)
        writer.writerow([_csv_value(h) for h in headers])
        writer.writerows([_csv_value(v) for v in row] for row in rows)
    return Path(path)


def _frame_to_csv(
    frame: pd.DataFrame,
    handle: IO[str],
    *,
    sep: str,
    header: bool,
    index: bool = False,
    decimal: str = ".",
) -> None:
    neutralise_frame(frame).to_csv(
        handle,
        sep=sep,
        index=index,
        header=header,
        decimal=decimal,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator=CSV_LINE_END,
    )


def write_frame_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    sep: str = CSV_SEP,
    encoding: str = CSV_ENCODING,
    index: bool = False,
    decimal: str = ".",
) -> Path:
    """A DataFrame as CSV (see :func:`write_csv`); numeric columns stay numbers."""
    with atomic_open(path, encoding=encoding, newline="") as handle:
        _frame_to_csv(frame, handle, sep=sep, header=True, index=index, decimal=decimal)
    return Path(path)


# -- XLSX --------------------------------------------------------------------------
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
        _SHEET_ILLEGAL.sub("", _XML_ILLEGAL.sub("", str(name)))[:31]: (
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


# -- GeoJSON, Parquet, text ---------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return None if _pandas_missing(value) else value


def write_json(path: str | Path, doc: Any, *, indent: int | None = None) -> Path:
    """``doc`` as UTF-8 JSON (non-ASCII kept; unknown objects as text)."""
    return write_text(path, json.dumps(doc, ensure_ascii=False, indent=indent, default=str))


def write_geojson(
    path: str | Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    points: Sequence[tuple[float, float] | None],
    meta: Mapping[str, Any],
) -> Path:
    """A FeatureCollection, one feature per row (null geometry when the row has no point)."""
    features = []
    for row, point in zip(rows, points, strict=True):
        geometry = {"type": "Point", "coordinates": list(point)} if point else None
        props = {h: _json_value(v) for h, v in zip(headers, row, strict=False)}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "metadata": dict(meta), "features": features}
    return write_json(path, doc)


def write_parquet(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """A (Geo)DataFrame as Parquet (pyarrow), without its index unless asked."""
    kwargs.setdefault("index", False)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, **kwargs)
    return Path(path)


class TableWriter:
    """CSV or Parquet (by suffix) written chunk by chunk, renamed into place on success.

    Use as a context manager: leaving the block on an exception or Ctrl+C removes the
    temporary file and leaves nothing under the final name. CSV chunks are
    formula-guarded (text only) and the header is written once; Parquet chunks are
    cast to the first chunk's schema.

    Examples
    --------
    >>> with TableWriter(Path("out.csv"), sep=";") as out:  # doctest: +SKIP
    ...     for chunk in chunks:
    ...         out.write(chunk)
    """

    def __init__(
        self,
        path: str | Path,
        *,
        sep: str = CSV_SEP,
        encoding: str = CSV_ENCODING,
        without_statistics: Sequence[str] = (),
        row_group: int = 1 << 17,
    ):
        self.path = Path(path)
        self.sep, self.encoding = sep, encoding
        # Parquet chunks are gathered into row groups of at least this many rows (DuckDB
        # writes 122 880). The last group is written alone on one core once everything
        # else is done: it should be short. Each group repeats the dictionaries of its
        # columns: large ones are best cut down to the values of each chunk (zoning
        # assign does, zoning.locate.stream.Encoded.take).
        self.row_group = row_group
        self._held: list[Any] = []
        self._held_rows = 0
        # Parquet statistics of these columns (added dictionary columns) would cost more
        # than computing them: min/max over every row's string.
        self.without_statistics = frozenset(without_statistics)
        self.parquet = self.path.suffix.lower() in PARQUET_SUFFIXES
        self.rows = 0
        self._stack = ExitStack()
        self._tmp: Path | None = None
        self._csv: IO[str] | None = None
        self._pq: Any = None
        # Row groups are written by a thread of their own, one at a time, while the
        # caller goes on reading and computing the next.
        self._writer_thread: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._header = False

    def __enter__(self) -> TableWriter:
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        if not self.parquet:
            self._csv = self._stack.enter_context(
                open(self._tmp, "w", encoding=self.encoding, newline="")
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._pq is not None:
            try:
                if kind is None:
                    self._flush()
                elif self._pending is not None:
                    # The block failed: let the group being written finish, its own
                    # error (if any) is not the one to report.
                    wait([self._pending])
                self._pq.close()
            except BaseException as error:
                if kind is None:
                    # The last row group failed (full disk, Ctrl+C): the temporary file
                    # goes, as it would have for an error in the block.
                    self._stack.__exit__(type(error), error, error.__traceback__)
                    raise
            finally:
                if self._writer_thread is not None:
                    self._writer_thread.shutdown()
        return self._stack.__exit__(kind, exc, tb)

    def write_arrow(self, table: Any) -> None:
        """Append a ``pyarrow.Table`` (Parquet output only)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._tmp is None:
            raise RuntimeError("TableWriter is used outside its `with` block")
        if self._pq is None:
            # Dictionary encoding only for text: on coordinates and ids (nearly all
            # distinct) the writer would hash every value before giving up.
            schema = table.schema
            self._pq = pq.ParquetWriter(
                self._tmp,
                schema,
                write_statistics=[n for n in schema.names if n not in self.without_statistics],
                use_dictionary=[
                    f.name
                    for f in schema
                    if pa.types.is_dictionary(f.type)
                    or pa.types.is_string(f.type)
                    or pa.types.is_large_string(f.type)
                ],
            )
        elif table.schema != self._pq.schema:
            table = table.cast(self._pq.schema)
        self._held.append(table)
        self._held_rows += table.num_rows
        self.rows += table.num_rows
        if self._held_rows >= self.row_group:
            self._flush(background=True)

    def _flush(self, background: bool = False) -> None:
        """Write the chunks held as one row group, after the one being written (whose
        error, if it failed, is raised here). In the ``background``, the call returns
        at once: at most one group is written while another fills (the memory bound)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()
        if not self._held:
            return
        held, self._held, self._held_rows = self._held, [], 0
        if not background:
            self._write_group(held)
            return
        if self._writer_thread is None:
            self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="zoning-write")
        self._pending = self._writer_thread.submit(self._write_group, held)

    def _write_group(self, held: list[Any]) -> None:
        """Write ``held`` tables as one row group."""
        import pyarrow as pa

        table = pa.concat_tables(held)
        self._pq.write_table(table, row_group_size=table.num_rows)

    def write(self, frame: pd.DataFrame | Any) -> None:
        """Append a DataFrame (or a ``pyarrow.Table``)."""
        import pyarrow as pa

        if self.parquet:
            if not isinstance(frame, pa.Table):
                frame = pa.Table.from_pandas(frame, preserve_index=False)
            self.write_arrow(frame)
            return
        if isinstance(frame, pa.Table):
            frame = frame.to_pandas()
        if self._csv is None:
            raise RuntimeError("TableWriter is used outside its `with` block")
        _frame_to_csv(frame, self._csv, sep=self.sep, header=not self._header)
        self._header = True
        self.rows += len(frame)


__all__ = [
    "CSV_ENCODING",
    "CSV_SEP",
    "EXCEL_SUFFIXES",
    "FORMULA_START",
    "PARQUET_SUFFIXES",
    "TableWriter",
    "excel_value",
    "frame_sheet",
    "neutralise",
    "neutralise_frame",
    "write_bytes",
    "write_csv",
    "write_excel",
    "write_frame_csv",
    "write_geojson",
    "write_json",
    "write_parquet",
    "write_text",
]
