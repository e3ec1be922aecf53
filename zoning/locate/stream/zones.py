"""What ``zoning assign`` adds to every point: commune, class, decree, remark and QPV.

Only numpy and pyarrow on this path: the per-commune columns are integer work in numpy
on the store's dictionary-encoded Parquet columns, never pandas, ``pyarrow.compute``
or a loop per commune.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from zoning.io.arrow import dictionary_array, fixed_width, numpy_of
from zoning.locate.stream.assign import StreamReport, assign_file
from zoning.locate.stream.read import DEFAULT_CHUNK
from zoning.locate.stream.remarks import BAD_POINT, OUTSIDE, commune_remarks

if TYPE_CHECKING:
    import pyarrow as pa

    from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)

#: The columns :func:`commune_columns` returns, in its order.
COMMUNE_COLUMNS = ("commune", "commune_name", "zone", "decree", "remarque")


def commune_columns(store: ZoningStore, on: date | None = None) -> dict[str, pa.Array]:
    """Per commune, in point-index order: code, name, zone class and decree id on date
    ``on``, and a remark when the class is to be checked.

    A region with no decree in force that day gets no class (``None``) rather than a
    class from another period; a commune absent from its decree's table gets neither
    class nor decree. Either way, and when the decree used has expired or a later one
    is not loaded, ``remarque`` says « à vérifier » and why.
    """
    from zoning.errors import OutsideCoverageError
    from zoning.store.store import NOT_LOADED

    # communes.parquet rows are in point-index order (the index was built from them).
    # Every text column is read dictionary-encoded: what follows is integer work on
    # the indices, in numpy (no pandas, no pyarrow.compute, see zoning.io.arrow).
    communes = _dictionaries(store.path / "communes.parquet", ["code", "name", "region"])
    zones = _dictionaries(store.path / "zones.parquet", ["decree_id", "code", "zone", "note"])
    code, regions, decree_ids = communes["code"], communes["region"], zones["decree_id"]
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
    commune_at = _positions(zones["code"], code)
    row_decree = numpy_of(decree_ids.indices, np.int32, -2)
    keep = np.flatnonzero(commune_at >= 0)
    keep = keep[in_force[commune_at[keep]] == row_decree[keep]]
    communes_kept, first = np.unique(commune_at[keep], return_index=True)
    row = np.full(len(code), -1, dtype=np.int64)
    row[communes_kept] = keep[first]
    found = row >= 0
    zone = zones["zone"]
    zone_at = np.where(found, numpy_of(zone.indices, np.int32, -1)[row], -1)
    # "" is no class: such a commune gets a null class, like one without a row.
    classed_value = np.array([bool(z) for z in zone.dictionary.to_pylist()] + [False])
    classed = classed_value[zone_at]
    note = zones["note"]
    note_at = np.where(found, numpy_of(note.indices, np.int32, -1)[row], -1)
    notes = [*note.dictionary.to_pylist(), None]
    # « ND » (classement non disponible) is kept as the class, and is to be checked too.
    known_value = np.array([bool(z) and z != "ND" for z in zone.dictionary.to_pylist()] + [False])
    known = known_value[zone_at]
    remarks = commune_remarks(
        [*caveat_of_region, ""], region_at, in_force >= 0, known, found, notes, note_at
    )
    values = (
        code,
        communes["name"],
        dictionary_array(zone_at, zone.dictionary, classed),
        dictionary_array(in_force, decree_ids.dictionary, found),
        remarks,
    )
    return dict(zip(COMMUNE_COLUMNS, values, strict=True))


def _dictionaries(path: Path, columns: list[str]) -> dict[str, pa.DictionaryArray]:
    """Text columns of a store table, dictionary-encoded as Parquet keeps them."""
    import pyarrow.parquet as pq

    # ParquetFile.read, not read_table: the latter imports pyarrow.dataset, hence pandas.
    table = pq.ParquetFile(path, read_dictionary=columns).read(columns)
    return {c: table.column(c).combine_chunks() for c in columns}


def _positions(codes: pa.DictionaryArray, values: pa.DictionaryArray) -> npt.NDArray[np.int64]:
    """For each of ``codes``, the position of the first equal value in ``values``
    (``-1``: none), matched on the distinct texts in numpy."""
    wanted, have = fixed_width(codes.dictionary), fixed_width(values.dictionary)
    width = max(wanted.dtype.itemsize, have.dtype.itemsize)
    wanted, have = wanted.astype(f"S{width}"), have.astype(f"S{width}")
    # The first row of each distinct value: positions written in reverse, the first last.
    value_at = numpy_of(values.indices, np.int64, len(have))
    first_row = np.full(len(have) + 1, -1, dtype=np.int64)
    first_row[value_at[::-1]] = np.arange(len(value_at) - 1, -1, -1)
    order = np.argsort(have, kind="stable")
    slot = np.minimum(np.searchsorted(have[order], wanted), max(len(have) - 1, 0))
    match = np.full(len(wanted) + 1, -1, dtype=np.int64)
    if len(have):
        hit = have[order][slot] == wanted
        match[:-1] = np.where(hit, first_row[order[slot]], -1)
    # numpy_of gives the dtype asked for; typed so, the take below keeps its dtype too.
    code_at: npt.NDArray[np.int64] = numpy_of(codes.indices, np.int64, len(wanted))
    return match[code_at]


def _column(table: Callable[[], dict[str, pa.Array]], name: str) -> pa.Array:
    return table()[name]


def _codes(path: Path, column: str) -> pa.DictionaryArray:
    """The codes of a polygon table, in its row order (the order of its point index)."""
    return _dictionaries(path, [column])[column]


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
    # Read from the store on first use, off the main thread (see assign_file).
    per_commune = cache(partial(commune_columns, store, on))
    columns = {name: partial(_column, per_commune, name) for name in COMMUNE_COLUMNS}
    return assign_file(
        communes,
        src,
        dst,
        lon_col=lon_col,
        lat_col=lat_col,
        result_col="commune",
        labels=columns.pop("commune"),
        columns=columns,
        layers=[(qpv, {"qpv": partial(_codes, store.path / "qpv_polygons.parquet", "code_qp")})],
        chunk_size=chunk_size,
        sep=sep,
        encoding=encoding,
        progress=progress,
        workers=workers,
        outside=("remarque", BAD_POINT, OUTSIDE),
    )
