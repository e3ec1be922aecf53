"""Zones for large point files, streamed chunk by chunk (``zoning assign``)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from zoning.locate.lookup import point_index
from zoning.locate.stream import DEFAULT_CHUNK, StreamReport, assign_file
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


def zone_columns(store: ZoningStore, on: date | None = None) -> dict[str, list[str | None]]:
    """Per commune, in point-index order: name, zone class and decree id on date ``on``.

    A region with no decree in force that day gets no class (``None``) rather than a
    class from another period.
    """
    from zoning.errors import OutsideCoverageError

    communes = store.communes(["code", "name", "region"])
    zone_of: dict[str, str] = {}
    decree_of: dict[str, str] = {}
    for region in sorted(set(communes["region"])):
        try:
            decree = store.decree_for(region, on)
        except OutsideCoverageError as exc:
            # No class rather than another period's: say why once per region.
            if store.region_decrees(region):
                log.warning("région %s : %s", region, exc)
            continue
        table = store.zones(decree.id)
        zone_of.update(zip(table["code"], table["zone"], strict=True))
        decree_of.update(dict.fromkeys(table["code"], decree.id))
    codes, _ = point_index(store, "communes")
    names = dict(zip(communes["code"], communes["name"], strict=True))
    return {
        "commune_name": [names.get(c) for c in codes],
        "zone": [zone_of.get(c) or None for c in codes],
        "decree": [decree_of.get(c) for c in codes],
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
) -> StreamReport:
    """Add ``commune, commune_name, zone, decree, qpv`` to every row of a CSV/Parquet file.

    Memory stays bounded by ``chunk_size`` rows plus the memory-mapped point indexes.
    """
    codes, communes = point_index(store, "communes")
    qpv_codes, qpv = point_index(store, "qpv_polygons")
    return assign_file(
        communes,
        src,
        dst,
        lon_col=lon_col,
        lat_col=lat_col,
        result_col="commune",
        labels=list(codes),
        columns=zone_columns(store, on),
        layers=[(qpv, {"qpv": list(qpv_codes)})],
        chunk_size=chunk_size,
        sep=sep,
        encoding=encoding,
        progress=progress,
    )
