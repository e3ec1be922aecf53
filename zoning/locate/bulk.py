"""Zones for large point files, streamed chunk by chunk (``zoning assign``).

Only numpy and pyarrow on this path: the per-commune columns are built with Arrow
compute from the store's Parquet tables, never with pandas or a loop per commune.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from zoning.locate.stream import DEFAULT_CHUNK, StreamReport, assign_file

if TYPE_CHECKING:
    import pyarrow as pa

    from zoning.store.store import ZoningStore


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
    decree_of_region: list[str | None] = []
    for region in regions.dictionary.to_pylist():
        try:
            decree_of_region.append(store.decree_for(region, on).id)
        except OutsideCoverageError:
            decree_of_region.append(None)
    decree = pc.take(pa.array(decree_of_region, pa.string()), regions.indices)
    zones = pq.ParquetFile(store.path / "zones.parquet").read(["decree_id", "code", "zone"])
    zones = zones.filter(pc.is_in(zones.column("decree_id"), pa.array(decree_of_region)))
    zones = zones.cast(pa.schema([(c, pa.string()) for c in zones.column_names]))
    zones = zones.combine_chunks()
    row = pc.index_in(
        pc.binary_join_element_wise(decree, code, "|"),
        value_set=pc.binary_join_element_wise(
            zones.column("decree_id").chunk(0), zones.column("code").chunk(0), "|"
        ),
    )
    zone = pc.take(zones.column("zone").chunk(0), row)
    return {
        "commune_name": name,
        "zone": pc.if_else(pc.equal(zone, ""), pa.scalar(None, pa.string()), zone),
        "decree": pc.if_else(pc.is_valid(row), decree, pa.scalar(None, pa.string())),
    }


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
    codes, communes = store.point_index("communes")
    qpv_codes, qpv = store.point_index("qpv_polygons")
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
