"""Assign points read from large files, chunk by chunk, with bounded memory.

Input is CSV (any separator and encoding, e.g. Windows-1252 ``;`` from Excel) or
Parquet; output is CSV or Parquet, written chunk by chunk. Every input row is in
the output, in order, with its columns unchanged (CSV columns are kept as text)
plus the result column; a row whose coordinates are missing or not numbers gets
no polygon (index ``-1``, empty label) instead of stopping the run. CSV output
guards text a spreadsheet would run as a formula (:func:`zoning.io.cells.neutralise`);
outputs are renamed into place only when complete (:mod:`zoning.io.atomic`).

Everything around the index is columnar: each added column is dictionary-encoded
once per polygon set (distinct values + one small integer per polygon), and a chunk's
column is a numpy take of those integers by polygon index (its dictionary cut down to
the chunk's values), never a Python loop per row. Parquet to Parquet stays in Arrow
buffers (no pandas, no ``pyarrow.compute``). Chunks are processed by a pool of threads
(numpy, GEOS and the Parquet codec release the GIL), at a lower priority than the one
writing their results in input order.

Memory is the point index (memory-mapped) plus about ``chunk_size`` rows at a
time. The ``dask`` engine runs the same :meth:`PointIndex.assign` on the
partitions of a dask (or dask-geopandas) frame, each worker opening the saved
index from disk once.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zoning.errors import InvalidInputError
from zoning.io.arrow import dictionary_array, int_array, numpy_of, take_text, text_array
from zoning.io.atomic import atomic_path, check_output
from zoning.io.csvstream import (
    check_columns,
    check_text_file,
    record_frames,
    records_of,
    sniff_file,
    text_encoding,
)
from zoning.pointindex import PointIndex

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 1_000_000
#: Rows per unit of parallel work: small enough to spread over the cores, large enough
#: that per-chunk overheads vanish.
WORK_UNIT = 1 << 17
T = TypeVar("T")
R = TypeVar("R")
Engine = Literal["numpy", "dask"]
#: A dictionary of more values than this is cut down to the values of each chunk
#: (:meth:`Encoded.take`).
COMPACT_ABOVE = 1024
#: One value per polygon.
Values: TypeAlias = Sequence[Any] | npt.NDArray[Any] | pa.Array


@dataclass(frozen=True)
class StreamReport:
    """What a streaming run did.

    Attributes
    ----------
    rows : int
        Rows read and written.
    matched : int
        Rows that got a polygon.
    bad_coords : int
        Rows whose coordinates were missing or not numbers.
    seconds : float
        Wall time.
    peak_rss_mb : float
        Peak resident memory of this process so far (``getrusage``), MB.
    """

    rows: int
    matched: int
    bad_coords: int
    seconds: float
    peak_rss_mb: float


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB.

    ``VmHWM`` from ``/proc/self/status`` where it exists: unlike ``getrusage``'s
    ``ru_maxrss`` it is not inherited across ``exec`` from a big parent.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq"} or path.is_dir()


def default_workers() -> int:
    """Threads for the chunk pool: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


#: Niceness added to the threads of :func:`ordered_map` (Linux): see there.
WORKER_NICE = 10


def _below_consumer() -> None:
    """Lower the calling thread's priority by :data:`WORKER_NICE` (Linux: a thread
    id given to ``setpriority`` names that thread alone); elsewhere, or if refused, keep
    it as it is."""
    if sys.platform != "linux":
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE)
    except OSError:
        pass


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], workers: int, in_flight: int
) -> Generator[R, None, None]:
    """``map(fn, items)`` on a thread pool, results in input order, at most
    ``in_flight`` items submitted and not yet consumed (the memory bound).

    The pool's threads run at a lower priority than the others: what consumes the
    results (writing them, in order, on one thread) is the part that cannot be spread
    over the cores; when it waits for a core, everything waits for it at the end (a
    fifth of a 2 M point ``zoning assign``).
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(
        workers, thread_name_prefix="zoning-chunk", initializer=_below_consumer
    ) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def read_chunks(
    path: str | Path,
    lon_col: str,
    lat_col: str,
    chunk_size: int = DEFAULT_CHUNK,
    sep: str | None = None,
    encoding: str = "auto",
) -> Iterator[pd.DataFrame]:
    """Yield ``path`` in DataFrames of at most ``chunk_size`` rows.

    CSV cells are read as text (nothing is lost or reinterpreted); ``lon_col`` and
    ``lat_col`` must exist.

    Raises
    ------
    InvalidInputError
        A coordinate column is missing, or the file is not a readable CSV (the
        message names the file). ``sep=None`` sniffs the separator; ``encoding="auto"``
        decodes line by line (UTF-8, else Windows-1252).
    """
    path = Path(path)
    if _is_parquet(path):
        for table in _arrow_chunks(path, lon_col, lat_col, chunk_size):
            yield table.to_pandas()
        return
    check_text_file(path)
    encoding = text_encoding(encoding, path)
    if sep is None or sep == "auto":
        sep = sniff_file(path, encoding)
    with path.open("rb") as raw:
        lines, records = records_of(raw, sep, path.name, encoding)
        yield from record_frames(path, records, sep, lon_col, lat_col, chunk_size)
    if lines.cp1252_lines:
        log.warning(
            "%s: %d line(s) not valid UTF-8, read as Windows-1252 (first: line %d)",
            path.name,
            len(lines.cp1252_lines),
            lines.cp1252_lines[0],
        )


def _parquet(path: Path) -> Any:
    """Open a Parquet file, or say in French that it is not one.

    Memory-mapped: pages are decoded straight from the file cache. Read into buffers, a
    row group's columns are copied whole into fresh memory first (2 M points: 0.1 s of
    CPU more, and the first chunk waits 20 to 80 ms for it).
    """
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path, memory_map=True)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInputError(
            f"{path.name} : fichier Parquet illisible (vide, tronqué ou d'un autre format)"
        ) from exc


def _numbers(values: Any) -> npt.NDArray[np.float64]:
    """float64 of a pandas or Arrow column; text such as ``"-0,57"`` (French decimal
    comma) is accepted, anything else not a number becomes NaN."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        if pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
            return numpy_of(values, np.float64, np.nan)
        values = values.to_pandas()
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def coords_of(df: Any, lon_col: str, lat_col: str) -> tuple[npt.NDArray[np.float64], ...]:
    """Coordinates of a chunk (DataFrame or Arrow table) as float64; text such as
    ``"-0,57"`` (French decimal comma) is accepted, anything else not a number
    becomes NaN."""
    if isinstance(df, pa.Table | pa.RecordBatch):
        return _numbers(df.column(lon_col)), _numbers(df.column(lat_col))
    return _numbers(df[lon_col]), _numbers(df[lat_col])


@dataclass(frozen=True)
class Encoded:
    """A per-polygon column, dictionary-encoded once.

    Attributes
    ----------
    dictionary : pyarrow.Array
        The distinct values.
    codes : numpy.ndarray
        ``int32`` position in ``dictionary`` of each polygon's value (``-1``: none),
        plus a trailing ``-1``, so that polygon index ``-1`` (no polygon) takes it.
    """

    dictionary: pa.Array
    codes: npt.NDArray[np.int32]

    @classmethod
    def of(cls, values: Values) -> Encoded:
        """Encode one value per polygon (``None`` for none); a dictionary array is
        taken as it is."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        arr = values if isinstance(values, pa.Array) else pa.array(list(values))
        encoded = arr if isinstance(arr, pa.DictionaryArray) else arr.dictionary_encode()
        codes = numpy_of(encoded.indices, np.int32, -1)
        return cls(encoded.dictionary, np.append(codes, np.int32(-1)))

    @property
    def large(self) -> bool:
        """Whether a chunk's column gets a dictionary of its own values only (text)."""
        kind = self.dictionary.type
        return len(self.dictionary) > COMPACT_ABOVE and (
            pa.types.is_string(kind) or pa.types.is_large_string(kind)
        )

    def take(
        self, idx: npt.NDArray[np.int64], present: npt.NDArray[np.int64] | None = None
    ) -> pa.DictionaryArray:
        """The column for points whose polygon indexes are ``idx`` (``-1``: none).

        With ``present`` (the distinct polygons of ``idx``, :func:`distinct_positions`), a
        :attr:`large` dictionary is cut down to the values of those polygons: a Parquet
        row group repeats the whole dictionary of each of its columns, the 35 000
        commune names for rows that name a few thousand.
        """
        dictionary = self.dictionary
        if present is None or not self.large:
            codes = self.codes[idx]
        else:
            kept = distinct_positions(self.codes[present], len(dictionary))
            position = np.full(len(dictionary) + 1, -1, dtype=np.int32)
            position[kept] = np.arange(kept.size, dtype=np.int32)
            codes = position[self.codes][idx]
            dictionary = take_text(dictionary, kept)
        return dictionary_array(codes, dictionary, codes >= 0)


def distinct_positions(at: npt.NDArray[np.integer[Any]], size: int) -> npt.NDArray[np.int64]:
    """The distinct values of ``at``, positions below ``size`` or ``-1`` (left out),
    ascending: one scatter, no sort."""
    seen = np.zeros(size + 1, dtype=bool)
    seen[at] = True  # -1 marks the extra last slot
    return np.flatnonzero(seen[:-1])


def label_column(idx: npt.NDArray[np.int64], labels: Sequence[str] | None) -> Any:
    """Result values: the polygon index, or its label (``None`` when no polygon)."""
    if labels is None:
        return idx
    lab = np.asarray(labels, dtype=object)
    out = np.full(idx.size, None, dtype=object)
    hit = idx >= 0
    out[hit] = lab[idx[hit]]
    return out


#: Added columns, by name.
_Encodings: TypeAlias = list[tuple[str, "Encoded"]]


def _taken(
    encoded: _Encodings, idx: npt.NDArray[np.int64], n_polys: int
) -> Iterator[tuple[str, pa.DictionaryArray]]:
    """The added columns of one polygon set for a chunk whose polygons are ``idx``."""
    present = distinct_positions(idx, n_polys) if any(e.large for _, e in encoded) else None
    return ((name, enc.take(idx, present)) for name, enc in encoded)


def _outside(
    column: pa.DictionaryArray,
    idx: npt.NDArray[np.int64],
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    finite: npt.NDArray[np.bool_],
    outside: tuple[str, str, str],
) -> pa.DictionaryArray:
    """``column`` with the rows in no polygon saying why (see :func:`assign_file`)."""
    _, bad, none = outside
    sane = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    values = column.to_pylist()
    for i in np.flatnonzero(idx < 0).tolist():
        values[i] = none if sane[i] else bad
    # Built from buffers: pa.array and dictionary_encode would import pandas and compute.
    words = sorted({v for v in values if v is not None})
    position = {word: i for i, word in enumerate(words)}
    codes = np.array([-1 if v is None else position[v] for v in values], dtype=np.int32)
    return dictionary_array(codes, text_array(words), codes >= 0)


def _now(values: Values | Callable[[], Values]) -> Values:
    """The values, computed now if given as a function."""
    return values() if callable(values) else values


@dataclass(frozen=True)
class _Done:
    chunk: Any
    rows: int
    matched: int
    bad: int


def assign_file(
    index: PointIndex,
    src: str | Path,
    dst: str | Path,
    lon_col: str = "lon",
    lat_col: str = "lat",
    result_col: str = "polygon",
    labels: Values | Callable[[], Values] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    sep: str = ",",
    encoding: str = "utf-8",
    progress: bool = True,
    columns: Mapping[str, Values | Callable[[], Values]] | None = None,
    layers: Sequence[tuple[PointIndex, Mapping[str, Values | Callable[[], Values]]]] = (),
    workers: int | None = None,
    outside: tuple[str, str, str] | None = None,
) -> StreamReport:
    """Assign every row of ``src`` to a polygon of ``index`` and write ``dst``.

    Parameters
    ----------
    index : PointIndex
        The polygons (e.g. ``PointIndex.load(store_dir)``).
    src, dst : path
        Input and output, CSV or Parquet by extension (``.parquet``/``.pq``).
    lon_col, lat_col : str
        Coordinate columns (EPSG:4326).
    result_col : str
        Name of the added column.
    labels : sequence of str, optional
        Label per polygon (e.g. commune codes); without it the polygon index
        (``-1`` for none) is written. Here and in ``columns`` and ``layers``, a function
        returning the values may stand for them: it is called on a thread of its own
        while the first chunks are read and walked.
    chunk_size : int
        Rows held in memory at once (about); memory grows with it.
    sep, encoding : str
        CSV separator and encoding, for both input and output.
    progress : bool
        Show a tqdm progress bar (rows).
    columns : mapping of str to sequence, optional
        More columns from the same polygons: name -> value per polygon (e.g. the zone
        class of each commune).
    layers : sequence of (PointIndex, mapping), optional
        Other polygon sets, each with its columns (e.g. QPV codes).
    workers : int, optional
        Threads processing chunks (default: the cores available).
    outside : (str, str, str), optional
        A column of ``columns`` written for rows in no polygon too: (name, text for
        coordinates that are no WGS84 degrees, text for a point in no polygon).

    Returns
    -------
    StreamReport
    """

    def encode_all() -> tuple[_Encodings, list[tuple[PointIndex, _Encodings]]]:
        """Dictionary-encode every added column once; a chunk then costs one take each."""
        own = [] if labels is None else [(result_col, Encoded.of(_now(labels)))]
        own += [(name, Encoded.of(_now(values))) for name, values in (columns or {}).items()]
        other = [
            (layer, [(name, Encoded.of(_now(values))) for name, values in layer_columns.items()])
            for layer, layer_columns in layers
        ]
        return own, other

    # The store's tables take some 50 ms to read: the first chunks are read and walked
    # meanwhile, on the core that would otherwise wait.
    encoder = ThreadPoolExecutor(1, thread_name_prefix="zoning-encode")
    encodings = encoder.submit(encode_all)
    encoder.shutdown(wait=False)

    def process(chunk: Any) -> _Done:
        lon, lat = coords_of(chunk, lon_col, lat_col)
        idx = index.assign(lon, lat)
        encoded, other_layers = encodings.result()
        added: dict[str, Any] = {}
        if labels is None:
            added[result_col] = int_array(idx)
        added.update(_taken(encoded, idx, index.n_polys))
        for other, other_encoded in other_layers:
            added.update(_taken(other_encoded, other.assign(lon, lat), other.n_polys))
        finite = np.isfinite(lon) & np.isfinite(lat)
        if outside is not None and (idx < 0).any():
            added[outside[0]] = _outside(added[outside[0]], idx, lon, lat, finite, outside)
        if isinstance(chunk, pa.Table):
            for name, values in added.items():
                chunk = chunk.append_column(name, values)
        else:
            for name, values in added.items():
                # A Series built from Arrow has a fresh 0..n index: align it on the chunk's.
                chunk[name] = values.to_pandas().set_axis(chunk.index)
        return _Done(chunk, len(lon), int((idx >= 0).sum()), int(lon.size - finite.sum()))

    from zoning.io.write import TableWriter

    src, dst = Path(src), Path(dst)
    total = _row_count(src)
    t0 = time.perf_counter()
    rows = matched = bad = 0
    check_output(dst, src)
    added_names = [result_col, *(columns or {})]
    added_names += [name for _, layer_columns in layers for name in layer_columns]
    # The input may be sniffed (« auto »); the output is always plain UTF-8 CSV.
    writer = TableWriter(
        dst,
        sep="," if sep in (None, "auto") else sep,
        encoding="utf-8" if encoding == "auto" else encoding,
        without_statistics=added_names,
    )
    n_workers = workers or default_workers()
    unit = max(1, min(chunk_size, WORK_UNIT))
    in_flight = max(2, chunk_size // unit)
    bar = _progress_bar(total, src.name) if progress else None
    chunks: Iterator[Any] = (
        # Parquet stays in Arrow all the way when the output is Parquet too.
        _arrow_chunks(src, lon_col, lat_col, unit)
        if writer.parquet and _is_parquet(src)
        else read_chunks(src, lon_col, lat_col, unit, sep, encoding)
    )
    try:
        # closing(): on a failed write (full disk, Ctrl+C) the pool is shut down here, its
        # threads joined, never left running into interpreter shutdown.
        with writer, closing(ordered_map(process, chunks, n_workers, in_flight)) as results:
            for done in results:
                writer.write(done.chunk)
                rows += done.rows
                matched += done.matched
                bad += done.bad
                if bar is not None:
                    bar.update(done.rows)
        encodings.result()  # its error, if no chunk asked for it (an empty file)
    finally:
        if bar is not None:
            bar.close()
        wait([encodings])
    report = StreamReport(rows, matched, bad, time.perf_counter() - t0, peak_rss_mb())
    log.info("assigned %s -> %s: %s", src, dst, report)
    return report


def _progress_bar(total: int | None, name: str) -> Any:
    """A tqdm bar counting points (tqdm is imported only when one is shown: 30 ms)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="pt", unit_scale=True, desc=name)


def _arrow_chunks(path: Path, lon_col: str, lat_col: str, chunk_size: int) -> Iterator[pa.Table]:
    """Parquet in ``pyarrow.Table`` chunks of at most ``chunk_size`` rows."""

    pf = _parquet(path)
    check_columns(path, pf.schema_arrow.names, None, lon_col, lat_col)
    for batch in pf.iter_batches(batch_size=chunk_size):
        yield pa.Table.from_batches([batch])


def _row_count(path: Path) -> int | None:
    """Rows of a Parquet file from its footer; ``None`` for CSV (not worth a pass)."""
    if not _is_parquet(path):
        return None

    return int(_parquet(path).metadata.num_rows)


# -- dask engine -----------------------------------------------------------------
_INDEX_CACHE: dict[str, PointIndex] = {}


def _cached_index(folder: str) -> PointIndex:
    """One memory-mapped index per worker process and folder."""
    if folder not in _INDEX_CACHE:
        _INDEX_CACHE[folder] = PointIndex.load(folder)
    return _INDEX_CACHE[folder]


def _assign_partition(
    df: pd.DataFrame,
    folder: str,
    lon_col: str,
    lat_col: str,
    result_col: str,
    labels: Sequence[str] | None,
    neutralise: bool = False,
) -> pd.DataFrame:
    lon, lat = coords_of(df, lon_col, lat_col)
    out = df.copy()
    out[result_col] = label_column(_cached_index(folder).assign(lon, lat), labels)
    from zoning.io.cells import neutralise_frame

    return neutralise_frame(out) if neutralise else out


def assign_dask_frame(
    ddf: dd.DataFrame,
    index_dir: str | Path,
    lon_col: str = "lon",
    lat_col: str = "lat",
    result_col: str = "polygon",
    labels: Sequence[str] | None = None,
    neutralise: bool = False,
) -> dd.DataFrame:
    """Add ``result_col`` (polygon index, or label) to every partition of a dask DataFrame.

    The index must have been saved (:meth:`PointIndex.save`) in ``index_dir``,
    readable by every worker. ``neutralise`` makes formula-like text inert (for CSV).
    """
    meta = ddf._meta.copy()
    meta[result_col] = np.zeros(0, dtype=np.int64) if labels is None else np.zeros(0, dtype=object)
    lab = None if labels is None else list(labels)
    return ddf.map_partitions(
        _assign_partition,
        str(index_dir),
        lon_col,
        lat_col,
        result_col,
        lab,
        neutralise,
        meta=meta,
    )


def _assign_geo_partition(gdf: Any, folder: str) -> pd.Series:
    import pandas as pd

    geom = gdf.geometry
    res = _cached_index(folder).assign(geom.x.to_numpy(), geom.y.to_numpy())
    return pd.Series(res, index=gdf.index, dtype=np.int64)


def assign_dask_geoseries(dgdf: Any, index_dir: str | Path) -> Any:
    """Polygon index of every point of a dask-geopandas GeoDataFrame (EPSG:4326).

    Returns
    -------
    dask.dataframe.Series
        ``int64`` per row, ``-1`` for no polygon, empty or non-point geometry.
    """
    import pandas as pd

    return dgdf.map_partitions(
        _assign_geo_partition, str(index_dir), meta=pd.Series(dtype=np.int64)
    )


def assign_file_dask(
    index_dir: str | Path,
    src: str | Path,
    dst: str | Path,
    lon_col: str = "lon",
    lat_col: str = "lat",
    result_col: str = "polygon",
    labels: Sequence[str] | None = None,
    blocksize: str = "64MB",
    sep: str = ",",
    encoding: str = "utf-8",
    scheduler: str | Any | None = None,
) -> int:
    """The dask engine of :func:`assign_file`: same result, partitions in parallel.

    Parameters
    ----------
    index_dir : path
        Folder of a saved :class:`PointIndex`.
    src, dst : path
        Input CSV/Parquet; output Parquet folder (one file per partition) or,
        for a ``.csv`` destination, one CSV file.
    scheduler : str or distributed.Client, optional
        Passed to ``compute``; ``None`` uses the current default (a
        ``distributed.Client`` if one is active).

    Returns
    -------
    int
        Rows written.
    """
    from zoning._compat import import_optional

    dask = import_optional("dask")
    dd = import_optional("dask.dataframe")

    src, dst = Path(src), Path(dst)
    if _is_parquet(src):
        ddf = dd.read_parquet(str(src), blocksize=blocksize)
    else:
        ddf = dd.read_csv(
            str(src),
            sep=sep,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            blocksize=blocksize,
        )
    check_columns(src, list(ddf.columns), None, lon_col, lat_col)
    check_output(dst, src, folder=True)
    to_csv = dst.suffix.lower() == ".csv"
    out = assign_dask_frame(ddf, index_dir, lon_col, lat_col, result_col, labels, to_csv)
    kwargs: dict[str, Any] = {} if scheduler is None else {"scheduler": scheduler}
    with atomic_path(dst, folder=not to_csv) as tmp:
        if to_csv:
            write = out.to_csv(
                str(tmp), single_file=True, index=False, sep=sep, encoding=encoding,
                lineterminator="\r\n", compute=False,
            )  # fmt: skip
        else:
            write = out.to_parquet(str(tmp), write_index=False, compute=False)
        # One compute for the write and the count, so partitions are read once. The
        # CSV writer is a legacy graph: dask warns that it materialises the mix.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Computing mixed collections")
            _, rows = dask.compute(write, out.map_partitions(len).sum(), **kwargs)
    return int(rows)


def assign_engine(
    engine: Engine,
    index: PointIndex,
    index_dir: str | Path | None,
    src: str | Path,
    dst: str | Path,
    **kwargs: Any,
) -> int:
    """Run :func:`assign_file` (``numpy``) or :func:`assign_file_dask` (``dask``).

    Returns the number of rows written. The dask engine needs ``index_dir``.
    """
    if engine == "numpy":
        return assign_file(index, src, dst, **kwargs).rows
    if index_dir is None:
        raise ValueError("the dask engine needs the folder of a saved index")
    kwargs.pop("chunk_size", None)
    kwargs.pop("progress", None)
    return assign_file_dask(index_dir, src, dst, **kwargs)
