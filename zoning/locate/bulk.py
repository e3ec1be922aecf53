"""Zones for large point files, streamed chunk by chunk (``zoning assign``).

Only numpy and pyarrow on this path: the per-commune columns are built with Arrow
compute from the store's Parquet tables, never with pandas or a loop per commune.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zoning.locate.stream import DEFAULT_CHUNK, StreamReport, assign_file, int_array, numpy_of

if TYPE_CHECKING:
    import pyarrow as pa

    from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


def zone_columns(store: ZoningStore, on: date | None = None) -> dict[str, pa.Array]:
    """Per commune, in point-index order: name, zone class and decree id on date ``on``.

    A region with no decree in force that day gets no class (``None``) rather than a
    class from another period; a commune absent from its decree's table gets neither
    class nor decree.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from zoning.errors import OutsideCoverageError

    # communes.parquet rows are in point-index order (the index was built from them).
    # ParquetFile.read, not read_table: the latter imports pyarrow.dataset, hence pandas.
    communes = pq.ParquetFile(store.path / "communes.parquet").read(["code", "name", "region"])
    # Plain ``string`` (the tables may hold ``large_string``): kernels want one type.
    communes = communes.cast(pa.schema([(c, pa.string()) for c in communes.column_names]))
    code, name = (communes.column(c).combine_chunks() for c in ("code", "name"))
    regions = communes.column("region").combine_chunks().dictionary_encode()
    zones = pq.ParquetFile(store.path / "zones.parquet").read(["decree_id", "code", "zone"])
    zones = zones.cast(pa.schema([(c, pa.string()) for c in zones.column_names]))
    # Decree ids as Arrow strings taken from the table itself (no Python -> Arrow
    # conversion on this path, see zoning.locate.stream).
    decree_ids = zones.column("decree_id").combine_chunks().dictionary_encode()
    position = {d: i for i, d in enumerate(decree_ids.dictionary.to_pylist())}
    decree_of_region = np.full(len(regions.dictionary) + 1, -1, dtype=np.int32)
    for i, region in enumerate(regions.dictionary.to_pylist()):
        try:
            decree_of_region[i] = position.get(store.decree_for(region, on).id, -1)
        except OutsideCoverageError as exc:
            # No class rather than another period's: say why once per region.
            if store.region_decrees(region):
                log.warning("région %s : %s", region, exc)
            continue
    in_force = decree_of_region[numpy_of(regions.indices, np.int32, -1)]
    decree = pc.take(decree_ids.dictionary, int_array(in_force, in_force >= 0))
    wanted = pc.take(decree_ids.dictionary, int_array(decree_of_region[decree_of_region >= 0]))
    zones = zones.filter(pc.is_in(zones.column("decree_id"), wanted)).combine_chunks()
    zone_keys = pc.binary_join_element_wise(
        zones.column("decree_id").chunk(0), zones.column("code").chunk(0), _bars(len(zones))
    )
    row = pc.index_in(pc.binary_join_element_wise(decree, code, _bars(len(code))), zone_keys)
    zone = pc.take(zones.column("zone").chunk(0), row)
    none = pa.nulls(len(code), pa.string())
    has_class = pc.cast(pc.utf8_length(zone), pa.bool_())  # "" is no class
    return {
        "commune_name": name,
        "zone": pc.if_else(has_class, zone, none),  # a null condition gives null
        "decree": pc.if_else(pc.is_valid(row), decree, none),
    }


def _bars(n: int) -> pa.Array:
    """``n`` times the string ``"|"``, built from buffers (a Python string given to an
    Arrow kernel would become a scalar, and import pandas, see zoning.locate.stream)."""
    import pyarrow as pa

    offsets = pa.py_buffer(np.arange(n + 1, dtype=np.int32))
    return pa.Array.from_buffers(pa.string(), n, [None, offsets, pa.py_buffer(b"|" * n)])


def _codes(path: Path, column: str) -> pa.Array:
    """The codes of a polygon table, in its row order (the order of its point index)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    codes = pq.ParquetFile(path).read([column]).column(column).combine_chunks()
    return codes.cast(pa.string())


def assign_zones_file(
    store: ZoningStore,
    src: Path,
    dst: Path,
    *,
    lon_col: str = "lon",
    lat_col: str = "lat",
    on: date | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    sep: str = ",",
    encoding: str = "utf-8",
    progress: bool = True,
    workers: int | None = None,
) -> StreamReport:
    """Add ``commune, commune_name, zone, decree, qpv`` to every row of a CSV/Parquet file.

    Memory stays bounded by about ``chunk_size`` rows plus the memory-mapped point
    indexes; chunks are processed by ``workers`` threads (default: the cores available).
    """
    _, communes = store.point_index("communes")
    _, qpv = store.point_index("qpv_polygons")
    codes = _codes(store.path / "communes.parquet", "code")
    qpv_codes = _codes(store.path / "qpv_polygons.parquet", "code_qp")
    return assign_file(
        communes,
        src,
        dst,
        lon_col=lon_col,
        lat_col=lat_col,
        result_col="commune",
        labels=codes,
        columns=zone_columns(store, on),
        layers=[(qpv, {"qpv": qpv_codes})],
        chunk_size=chunk_size,
        sep=sep,
        encoding=encoding,
        progress=progress,
        workers=workers,
    )
