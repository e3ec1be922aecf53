"""A commune and the communes around it, with their classes: the small map of one answer."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from zoning.errors import NotFoundError, OutsideCoverageError
from zoning.store.store import ZoningStore

#: Margin around the commune's bounding box, in degrees (about 10 km).
MARGIN_DEG = 0.12
#: Display simplification, in degrees (about 50 m): a small map, not a survey.
TOLERANCE_DEG = 0.0005


def neighbourhood(
    store: ZoningStore, code: str, on: date | None = None, margin: float = MARGIN_DEG
) -> dict[str, Any]:
    """GeoJSON of the commune ``code`` and every commune within ``margin`` of it.

    Each feature carries ``code``, ``name``, ``departement``, ``zone`` (class under the
    decree of the feature's region in force on ``on``, ``ND`` when unknown) and
    ``focus`` (true for the commune asked about).

    Raises
    ------
    NotFoundError
        When the store has no polygon for ``code``.
    """
    frame = store.communes_gdf()
    rows = frame.index[frame["code"] == code]
    if len(rows) == 0:
        raise NotFoundError(f"pas de contour pour la commune « {code} »")
    minx, miny, maxx, maxy = frame.geometry.iloc[rows[0]].bounds
    box = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    near = frame.iloc[sorted(frame.sindex.query(_box(box)))]
    features = []
    zones_by_decree: dict[str, dict[str, str]] = {}
    for row in near.itertuples():
        region = str(row.region)
        try:
            decree_id = store.decree_for(region, on).id
        except OutsideCoverageError:  # a region or a date not covered: shown as unknown
            decree_id = ""
        if decree_id and decree_id not in zones_by_decree:
            table = store.zones(decree_id)
            zones_by_decree[decree_id] = dict(zip(table["code"], table["zone"], strict=True))
        zone = zones_by_decree.get(decree_id, {}).get(str(row.code)) or "ND"
        geometry = row.geometry.simplify(TOLERANCE_DEG, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": str(row.code),
                    "name": str(row.name),
                    "departement": str(row.departement),
                    "zone": zone,
                    "focus": str(row.code) == code,
                },
                "geometry": json.loads(_to_json(geometry)),
            }
        )
    return {"type": "FeatureCollection", "bbox": list(box), "features": features}


def _box(bounds: tuple[float, float, float, float]) -> Any:
    from shapely.geometry import box

    return box(*bounds)


def _to_json(geometry: Any) -> str:
    import shapely

    return str(shapely.to_geojson(shapely.set_precision(geometry, 1e-5)))
