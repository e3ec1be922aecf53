"""Display geometry: communes simplified as one coverage, départements dissolved from them.

Simplifying each commune on its own moves the two copies of a shared border
differently and opens slivers and overlaps between neighbours. Here the communes are
simplified together as a *coverage* (``shapely.coverage_simplify``, GEOS >= 3.12): each
shared edge is simplified once, so neighbours still meet exactly, and no commune
vanishes (every polygon keeps at least its ring). Départements are the union of their
simplified communes, so their borders lie exactly on commune edges.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = [
    "CoverageCheck",
    "check_coverage",
    "dissolve",
    "feature_collection",
    "simplify_coverage",
]

log = logging.getLogger(__name__)

#: Lambert-93: metric, so the tolerance is in metres.
METRIC_CRS = "EPSG:2154"


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float = 150.0) -> gpd.GeoDataFrame:
    """Simplify polygons that tile a territory, keeping shared borders shared.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons forming a coverage (no overlaps; shared edges with identical vertices),
        in any CRS.
    tolerance_m : float
        Simplification tolerance in metres (applied in Lambert-93).

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns, simplified geometry, in EPSG:4326.
    """
    if gdf.empty:
        return gdf.to_crs("EPSG:4326")
    metric = gdf.to_crs(METRIC_CRS)
    geoms = metric.geometry.values
    if not shapely.coverage_is_valid(geoms):
        # A coverage with overlaps would be simplified edge by edge into garbage; the
        # per-polygon topology-preserving simplifier is the safe fallback.
        log.warning("input polygons are not a valid coverage; simplifying polygon by polygon")
        simplified = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    else:
        simplified = shapely.coverage_simplify(geoms, tolerance_m)
    out = metric.set_geometry(gpd.GeoSeries(simplified, index=metric.index, crs=METRIC_CRS))
    return out.to_crs("EPSG:4326")


def dissolve(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union polygons by a column with ``shapely.coverage_union_all`` (exact for coverages).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons forming a coverage.
    by : str
        Column to group by (e.g. ``departement``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per value of ``by`` (sorted), with columns ``by`` and ``geometry``.
    """
    rows = []
    for key, part in gdf.groupby(by, sort=True):
        union = shapely.coverage_union_all(part.geometry.values)
        if not union.is_valid:
            union = shapely.make_valid(union)
        rows.append({by: key, "geometry": union})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=gdf.crs)


@dataclass(frozen=True)
class CoverageCheck:
    """How faithful a simplified coverage is to its source."""

    n_source: int
    n_simplified: int
    n_empty: int
    coverage_valid: bool
    area_ratio: float
    """Area of the union after / before (1.0: no gap opened, no overlap)."""
    overlap_area_ratio: float
    """(sum of areas - area of union) / area of union: 0 when nothing overlaps."""

    @property
    def ok(self) -> bool:
        """True when no polygon vanished, no sliver opened and nothing overlaps."""
        return (
            self.n_empty == 0
            and self.n_source == self.n_simplified
            and self.coverage_valid
            and abs(self.area_ratio - 1.0) < 1e-3
            and self.overlap_area_ratio < 1e-6
        )


def check_coverage(source: gpd.GeoDataFrame, simplified: gpd.GeoDataFrame) -> CoverageCheck:
    """Compare a simplified coverage with its source (in Lambert-93 areas).

    Parameters
    ----------
    source, simplified : geopandas.GeoDataFrame
        The polygons before and after simplification, row for row.

    Returns
    -------
    CoverageCheck
    """
    a = source.to_crs(METRIC_CRS).geometry.values
    b = simplified.to_crs(METRIC_CRS).geometry.values
    union_a = shapely.coverage_union_all(a).area
    union_b = shapely.coverage_union_all(b).area
    total_b = float(np.sum(shapely.area(b)))
    return CoverageCheck(
        n_source=len(a),
        n_simplified=len(b),
        n_empty=int(np.sum(shapely.is_empty(b))),
        coverage_valid=bool(shapely.coverage_is_valid(b)),
        area_ratio=float(union_b / union_a) if union_a else 1.0,
        overlap_area_ratio=float((total_b - union_b) / union_b) if union_b else 0.0,
    )


def feature_collection(
    gdf: gpd.GeoDataFrame, properties: list[str], decimals: int = 5
) -> dict[str, Any]:
    """A compact GeoJSON FeatureCollection (rounded coordinates, chosen properties).

    Rounding is applied to every vertex independently; vertices shared by two polygons
    are equal before rounding, hence after, so a coverage stays a coverage.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features, in EPSG:4326.
    properties : list of str
        Columns to copy into each feature's ``properties`` (JSON-able values).
    decimals : int
        Decimals kept on coordinates (5 is about 1 m).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    collections = shapely.get_type_id(geoms) == GEOMETRY_COLLECTION
    if collections.any():
        geoms = geoms.copy()
        geoms[collections] = [_polygonal(g) for g in geoms[collections]]
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # numpy's rounding gives the nearest double, whose repr is the short decimal.
    rounded = shapely.transform(geoms[keep], lambda xy: np.round(xy, decimals))
    texts = shapely.to_geojson(rounded)
    frame = gdf.loc[keep, properties] if properties else pd.DataFrame(index=gdf.index[keep])
    records = frame.to_dict(orient="records")
    features = [
        {
            "type": "Feature",
            "properties": {k: (None if _isnan(v) else _plain(v)) for k, v in props.items()},
            "geometry": json.loads(text),
        }
        for props, text in zip(records, texts, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


GEOMETRY_COLLECTION = 7


def _polygonal(geom: Any) -> Any:
    """The polygons of a collection (``make_valid`` leaves some; Leaflet tooltips want areas)."""
    parts = shapely.get_parts(geom)
    polygons = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
