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
import numpy.typing as npt

from zoning.locate.stream import (
    DEFAULT_CHUNK,
    StreamReport,
    assign_file,
    int_array,
    numpy_of,
    text_array,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


def commune_columns(store: ZoningStore, on: date | None = None) -> dict[str, pa.Array]:
    """Per commune, in point-index order: code, name, zone class and decree id on date
    ``on``, and a remark when the class is to be checked.

    A region with no decree in force that day gets no class (``None``) rather than a
    class from another period; a commune absent from its decree's table gets neither
    class nor decree. Either way, and when the decree used has expired or a later one
    is not loaded, ``remarque`` says « à vérifier » and why.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from zoning.errors import OutsideCoverageError
    from zoning.store.store import NOT_LOADED

    # communes.parquet rows are in point-index order (the index was built from them).
    # ParquetFile.read, not read_table: the latter imports pyarrow.dataset, hence pandas.
    communes = pq.ParquetFile(store.path / "communes.parquet").read(["code", "name", "region"])
    # Plain ``string`` (the tables may hold ``large_string``): kernels want one type.
    communes = communes.cast(pa.schema([(c, pa.string()) for c in communes.column_names]))
    code, name = (communes.column(c).combine_chunks() for c in ("code", "name"))
    regions = communes.column("region").combine_chunks().dictionary_encode()
    columns = ["decree_id", "code", "zone", "note"]
    zones = pq.ParquetFile(store.path / "zones.parquet").read(columns)
    zones = zones.cast(pa.schema([(c, pa.string()) for c in columns]))
    # Decree ids as Arrow strings taken from the table itself (no Python -> Arrow
    # conversion on this path, see zoning.locate.stream).
    decree_ids = zones.column("decree_id").combine_chunks().dictionary_encode()
    position = {d: i for i, d in enumerate(decree_ids.dictionary.to_pylist())}
    decree_of_region = np.full(len(regions.dictionary) + 1, -1, dtype=np.int32)
    caveat_of_region: list[str] = []
    for i, region in enumerate(regions.dictionary.to_pylist()):
        try:
            choice = store.decree_on(region, on)
        except OutsideCoverageError as exc:
            caveat_of_region.append(str(exc))
        else:
            caveat_of_region.append(choice.caveat)
            if choice.status != NOT_LOADED:  # no class rather than another period's
                decree_of_region[i] = position.get(choice.decree.id, -1)
        if caveat_of_region[-1]:
            log.warning("région %s : %s", region, caveat_of_region[-1])  # once per region
    # A commune without region takes the last entry of both: no decree, no caveat.
    region_at = numpy_of(regions.indices, np.int32, len(caveat_of_region))
    in_force = decree_of_region[region_at]
    # The row of each commune in the table of the decree in force there (the first, if
    # any were repeated): integer positions, no string keys to build and hash.
    commune_at = numpy_of(pc.index_in(zones.column("code"), code), np.int64, -1)
    row_decree = numpy_of(decree_ids.indices, np.int32, -2)
    keep = np.flatnonzero(commune_at >= 0)
    keep = keep[in_force[commune_at[keep]] == row_decree[keep]]
    communes_kept, first = np.unique(commune_at[keep], return_index=True)
    row = np.full(len(code), -1, dtype=np.int64)
    row[communes_kept] = keep[first]
    found = row >= 0
    zone = pc.take(zones.column("zone"), int_array(row, found))
    length = pc.utf8_length(zone)
    has_class = pc.cast(length, pa.bool_())  # "" is no class
    note = pc.take(zones.column("note"), int_array(row, found)).to_pylist()
    classed = numpy_of(length, np.int32, 0) > 0
    remarks = _remarks([*caveat_of_region, ""], region_at, in_force >= 0, classed, note)
    return {
        "commune": code,
        "commune_name": name,
        "zone": pc.if_else(has_class, zone, pa.nulls(len(code), pa.string())),  # null if null
        "decree": pc.take(decree_ids.dictionary, int_array(in_force, found)),
        "remarque": remarks,
    }


def _remarks(
    caveat_of_region: list[str],
    region_at: npt.NDArray[np.int32],
    judged: npt.NDArray[np.bool_],
    has_class: npt.NDArray[np.bool_],
    note: list[str | None],
) -> pa.DictionaryArray:
    """« à vérifier : ... » per commune: its region's caveat on the decree, and why a
    commune judged by a decree has no class there (the store's note, else its absence
    from the decree's table); ``None`` when there is nothing to say."""
    import pyarrow as pa

    texts: dict[str, int] = {"": -1}
    of_region = [texts.setdefault(c, len(texts) - 1) for c in caveat_of_region]
    remark = np.array(of_region, dtype=np.int32)[region_at]
    for i in np.flatnonzero(judged & ~has_class).tolist():
        why = note[i] or "commune absente du tableau de l'arrêté"
        caveat = caveat_of_region[region_at[i]]
        remark[i] = texts.setdefault(f"{caveat} ; {why}" if caveat else why, len(texts) - 1)
    words = [f"à vérifier : {t}" for t in texts if t]
    return pa.DictionaryArray.from_arrays(int_array(remark, remark >= 0), text_array(words))


def _codes(path: Path, column: str) -> pa.Array:
    """The codes of a polygon table, in its row order (the order of its point index),
    as ``string``."""
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
    """Add ``commune, commune_name, zone, decree, remarque, qpv`` to every row of a CSV or
    Parquet file (``remarque``: « à vérifier » and why, see :func:`commune_columns`).

    Memory stays bounded by about ``chunk_size`` rows plus the memory-mapped point
    indexes; chunks are processed by ``workers`` threads (default: the cores available).
    """
    communes = store.polygon_index("communes")
    qpv = store.polygon_index("qpv_polygons")
    columns = commune_columns(store, on)
    qpv_codes = _codes(store.path / "qpv_polygons.parquet", "code_qp")
    return assign_file(
        communes,
        src,
        dst,
        lon_col=lon_col,
        lat_col=lat_col,
        result_col="commune",
        labels=columns.pop("commune"),
        columns=columns,
        layers=[(qpv, {"qpv": qpv_codes})],
        chunk_size=chunk_size,
        sep=sep,
        encoding=encoding,
        progress=progress,
        workers=workers,
    )
