"""The streamed run: every row of a file to a polygon, written chunk by chunk.

CSV output guards text a spreadsheet would run as a formula
(:func:`zoning.io.write.neutralise`); outputs are renamed into place only when complete
(:mod:`zoning.io.atomic`). Parquet to Parquet stays in Arrow buffers (no pandas, no
``pyarrow.compute``). Chunks are processed by a pool of threads (:mod:`.pool`), at a
lower priority than the one writing their results in input order. Memory is the point
index (memory-mapped) plus about ``chunk_size`` rows at a time.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from zoning.io.arrow import int_array
from zoning.io.atomic import check_output
from zoning.locate.stream.columns import Encodings, LazyValues, encode, taken
from zoning.locate.stream.pool import default_workers, ordered_map
from zoning.locate.stream.read import (
    DEFAULT_CHUNK,
    arrow_chunks,
    coords_of,
    is_parquet,
    read_chunks,
    row_count,
)
from zoning.locate.stream.remarks import outside_column
from zoning.pointindex import PointIndex

if TYPE_CHECKING:
    from tqdm import tqdm

log = logging.getLogger(__name__)

#: Rows per unit of parallel work: small enough to spread over the cores, large enough
#: that per-chunk overheads vanish.
WORK_UNIT = 1 << 17


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
    labels: LazyValues | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    sep: str = ",",
    encoding: str = "utf-8",
    progress: bool = True,
    columns: Mapping[str, LazyValues] | None = None,
    layers: Sequence[tuple[PointIndex, Mapping[str, LazyValues]]] = (),
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

    def encode_all() -> tuple[Encodings, list[tuple[PointIndex, Encodings]]]:
        """Dictionary-encode every added column once; a chunk then costs one take each."""
        own: list[tuple[str, LazyValues]] = [] if labels is None else [(result_col, labels)]
        own += (columns or {}).items()
        first = encode(own)
        return first, [(layer, encode(list(named.items()))) for layer, named in layers]

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
        added.update(taken(encoded, idx, index.n_polys))
        for other, other_encoded in other_layers:
            added.update(taken(other_encoded, other.assign(lon, lat), other.n_polys))
        finite = np.isfinite(lon) & np.isfinite(lat)
        if outside is not None and (idx < 0).any():
            added[outside[0]] = outside_column(added[outside[0]], idx, lon, lat, finite, outside)
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
    total = row_count(src)
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
        arrow_chunks(src, lon_col, lat_col, unit)
        if writer.parquet and is_parquet(src)
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


def _progress_bar(total: int | None, name: str) -> tqdm[Any]:
    """A tqdm bar counting points (tqdm is imported only when one is shown: 30 ms)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="pt", unit_scale=True, desc=name)
