"""Tables, maps and sidecars written for a user, except workbooks (:mod:`zoning.io.xlsx`).

One writer per format, all atomic (:mod:`zoning.io.atomic`: a temporary file renamed
when complete):

- CSV for Excel users: UTF-8 with BOM, ``;``, CRLF line ends, every field holding the
  separator, a quote, CR or LF quoted (a bare CR left unquoted splits a row in two
  when the file is read back); text cells formula-guarded (:mod:`zoning.io.cells`);
- GeoJSON, JSON and Parquet, whole or chunk by chunk (:class:`TableWriter`).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from zoning.io.atomic import atomic_open, atomic_path, write_text
from zoning.io.cells import neutralise, neutralise_frame, pandas_missing

if TYPE_CHECKING:
    import pandas as pd

CSV_SEP = ";"
CSV_ENCODING = "utf-8-sig"
CSV_LINE_END = "\r\n"
PARQUET_SUFFIXES = (".parquet", ".pq")


def _csv_value(value: Any) -> Any:
    if value is None or pandas_missing(value) or (isinstance(value, float) and math.isnan(value)):
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


# -- GeoJSON, Parquet, text ---------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return None if pandas_missing(value) else value


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
