"""The 20 km rule: geodesic distance first, road distance only when it matters.

A straight-line (geodesic, WGS84) distance at or above the threshold settles the
rule, since a road is never shorter. Under the threshold the texts ask for the road
distance: it comes from an OSRM service when one is configured, otherwise the verdict
is "à vérifier". An ARS derogation is an explicit input that turns the verdict and is
recorded in the reason. A side known only by its commune gives a straight-line range
(:func:`straight_range_m`, to the commune's polygon): its shortest end at or above the
threshold settles the rule for every address; anything else is "à vérifier" with the
range, since a road can be longer than any straight line. The threshold is always the
programme's (``[premium] min_distance_km``), never a figure of this module.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from zoning.errors import RoutingError
from zoning.io.french import format_km
from zoning.reasons import needs_code
from zoning.rules.verdicts import CHECK, NO, OK, Verdict

GEOD = Geod(ellps="WGS84")

# Distances are compared at centimetre precision so that a point built at exactly
# 20 km (Geod.fwd) is not rejected for a 1e-9 m rounding error.
_PRECISION_M = 2
# Commune edges are cut to about 200 m before projecting (see straight_range_m).
_SEGMENT_DEG = 0.002
# Mean Earth radius, only for the bound of the projection's scale error.
_EARTH_RADIUS_M = 6_371_008.8

RoadDistance = Callable[[tuple[float, float], tuple[float, float]], float]


@dataclass(frozen=True)
class DistanceVerdict:
    """Outcome of the distance rule for one (main site, other site) pair.

    ``geodesic_km`` is the straight-line distance, or the shortest one when a side is
    known only by its commune (``farthest_km`` is then the longest). ``verdict`` is None
    when the programme has no distance rule (the distance is only reported).
    """

    verdict: Verdict | None
    reason: str
    #: The reason's code in the catalogue (:mod:`zoning.reasons`); None when the rule is
    #: met or there is no rule.
    code: str | None
    geodesic_km: float
    road_km: float | None = None
    derogation: str | None = None
    farthest_km: float | None = None

    def __post_init__(self) -> None:
        needs_code(self.verdict in (CHECK, NO), self.code, self.reason)

    def text(self) -> str:
        """« verdict : reason », the rule as the outputs write it (the verdict once)."""
        if not self.verdict or self.reason.startswith(f"{self.verdict} :"):
            return self.reason
        return f"{self.verdict} : {self.reason}"


def geodesic_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres on the WGS84 ellipsoid."""
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist)


def geodesic_many_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`geodesic_m` (NaN where a coordinate is missing)."""
    lon1, lat1, lon2, lat2 = (np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2))
    out = np.full(lon1.shape, np.nan)
    ok = ~(np.isnan(lon1) | np.isnan(lat1) | np.isnan(lon2) | np.isnan(lat2))
    if ok.any():
        _, _, dist = GEOD.inv(lon1[ok], lat1[ok], lon2[ok], lat2[ok])
        out[ok] = dist
    return out


def _aeqd(lon: float, lat: float) -> Any:
    """Azimuthal equidistant projection (metres) centred on a point, WGS84 ellipsoid.

    PROJ computes it with geodesics: the distance from the centre to any projected
    point is that point's exact geodesic distance from the centre.
    """
    from pyproj import Transformer

    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=aeqd +lat_0={lat!r} +lon_0={lon!r} +ellps=WGS84"
    )


def _projected(geom: BaseGeometry, transformer: Any) -> BaseGeometry:
    import shapely

    # Edges are straight in longitude/latitude: cut them to ~200 m so that their images
    # in the projection are straight to well under a millimetre.
    fine = shapely.segmentize(geom, _SEGMENT_DEG) if geom.geom_type != "Point" else geom

    def forward(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(fine, forward)


def _centre(a: BaseGeometry, b: BaseGeometry) -> tuple[float, float]:
    """Where to centre the projection: on the point if there is one, else halfway
    between the two nearest points (found roughly in degrees)."""
    from shapely.ops import nearest_points

    if a.geom_type == "Point":
        return a.x, a.y
    if b.geom_type == "Point":
        return b.x, b.y
    pa, pb = nearest_points(a, b)
    azimuth, _, dist = GEOD.inv(pa.x, pa.y, pb.x, pb.y)
    lon, lat, _ = GEOD.fwd(pa.x, pa.y, azimuth, dist / 2)
    return float(lon), float(lat)


@functools.lru_cache(maxsize=4096)  # a batch asks the same hospital-commune pair again
def straight_range_m(a: BaseGeometry, b: BaseGeometry) -> tuple[float, float]:
    """Shortest and longest straight-line (geodesic, WGS84) distance in metres between
    any point of ``a`` and any point of ``b`` (points or commune polygons, lon/lat).

    Shortest: Euclidean distance in an azimuthal equidistant projection centred on the
    point (or, for two areas, halfway between their nearest points). From the centre
    that distance is the exact geodesic one; for two areas, the projection's scale error
    at r metres from the centre is below (r / 6 371 km)² / 6 — under 1 cm at 20 km
    for r = 10 km — and that bound is taken off, so the shortest distance is never
    overstated. Zero when the areas touch or the point is inside. Longest: exact
    geodesic distances between the vertices of the convex hulls (where the farthest
    points of a polygon lie), edges cut to ~200 m.
    """
    import shapely
    from shapely.ops import nearest_points

    lon0, lat0 = _centre(a, b)
    transformer = _aeqd(lon0, lat0)
    pa, pb = _projected(a, transformer), _projected(b, transformer)
    if pa.intersects(pb):
        nearest = 0.0
    else:
        near_a, near_b = nearest_points(pa, pb)
        nearest = float(near_a.distance(near_b))
        reach = max(near_a.distance(shapely.Point(0, 0)), near_b.distance(shapely.Point(0, 0)))
        nearest = max(0.0, nearest * (1 - (reach / _EARTH_RADIUS_M) ** 2 / 6))
    hulls = []
    for geom in (pa, pb):
        xy = shapely.get_coordinates(geom.convex_hull)
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
        hulls.append((np.asarray(lon), np.asarray(lat)))
    (lon_a, lat_a), (lon_b, lat_b) = hulls
    i, j = np.meshgrid(np.arange(len(lon_a)), np.arange(len(lon_b)), indexing="ij")
    _, _, dist = GEOD.inv(lon_a[i.ravel()], lat_a[i.ravel()], lon_b[j.ravel()], lat_b[j.ravel()])
    return nearest, max(nearest, float(np.max(dist)))


def _span(nearest: float, farthest: float) -> str:
    return f"entre {format_km(nearest)} et {format_km(farthest, up=True)} à vol d'oiseau"


def range_rule(
    nearest: float,
    farthest: float,
    threshold_km: float,
    communes: Sequence[str],
    derogation: str | None = None,
    derogations: Mapping[str, str] | None = None,
) -> DistanceVerdict:
    """Distance rule when a side (or both) is known only by its commune (pure).

    ``nearest``/``farthest``: straight-line range in metres (:func:`straight_range_m`);
    ``communes``: the commune(s) known only by name, as people read them. At or above
    the threshold for the nearest points, every address meets the rule. Under it nothing
    is settled: a road can be longer than the straight line, so even a commune wholly
    under the threshold is « à vérifier », with the range and what would settle it.
    """
    limit = f"{threshold_km:g} km"
    span = _span(nearest, farthest)
    near_km, far_km = nearest / 1000, farthest / 1000
    whole = "toute la commune est" if len(communes) == 1 else "les deux communes sont"
    named = " et ".join(communes)
    if round(nearest, _PRECISION_M) >= threshold_km * 1000:
        return DistanceVerdict(
            OK,
            f"{whole} à {limit} ou plus à vol d'oiseau ({named} : {span})",
            None,
            near_km,
            farthest_km=far_km,
        )
    if derogation:
        judged = distance_rule(nearest, threshold_km, None, None, derogation, derogations)
        reason = f"{named} : {span} ; {judged.reason}"
        return dataclasses.replace(judged, reason=reason, farthest_km=far_km)
    address = "l'adresse du site" if len(communes) == 1 else "les adresses des sites"
    settle = (
        f"il faut {address}, puis sous {limit} à vol d'oiseau une distance routière "
        "(service de routage : ZONING_OSRM_URL)"
    )
    if round(farthest, _PRECISION_M) < threshold_km * 1000:
        where = f"{whole} à moins de {limit} à vol d'oiseau, mais la route peut être plus longue"
    else:
        where = f"de part et d'autre de {limit} à vol d'oiseau"
    return DistanceVerdict(
        CHECK,
        f"à vérifier : {where} ({named} : {span}) ; {settle}",
        "DIST-COMMUNE-SEULE",
        near_km,
        farthest_km=far_km,
    )


def measured(nearest: float, farthest: float | None = None) -> DistanceVerdict:
    """A distance reported without a rule (a programme without territorial premium)."""
    text = f"{format_km(nearest)} à vol d'oiseau" if farthest is None else _span(nearest, farthest)
    return DistanceVerdict(
        None,
        f"{text} (sans objet : pas de prime d'exercice territorial dans ce programme)",
        None,
        nearest / 1000,
        farthest_km=None if farthest is None else farthest / 1000,
    )


def distance_rule(
    geodesic: float,
    threshold_km: float,
    road: float | None = None,
    road_error: str | None = None,
    derogation: str | None = None,
    derogations: Mapping[str, str] | None = None,
) -> DistanceVerdict:
    """Verdict of the distance rule from distances already known (pure).

    Parameters
    ----------
    geodesic
        Straight-line distance in metres.
    threshold_km
        Threshold of the programme (``[premium] min_distance_km``).
    road
        Road distance in metres, when a routing service answered.
    road_error
        Why the routing service gave no answer, when it was asked.
    derogation
        Code of an ARS derogation granted for this site (a key of ``derogations``).
    derogations
        Known derogations of the programme, code -> French label.
    """
    threshold = threshold_km * 1000
    geo = round(geodesic, _PRECISION_M)
    geo_km = geo / 1000
    limit = f"{threshold_km:g} km"
    if geo >= threshold:
        return DistanceVerdict(OK, f"{format_km(geo)} à vol d'oiseau (≥ {limit})", None, geo_km)
    if derogation:
        label = (derogations or {}).get(derogation)
        if label is None:
            known = ", ".join(sorted(derogations or {})) or "aucune"
            return DistanceVerdict(
                CHECK,
                f"dérogation inconnue {derogation!r} (connues : {known})",
                "DIST-DEROGATION-INCONNUE",
                geo_km,
                derogation=derogation,
            )
        return DistanceVerdict(
            OK,
            f"{format_km(geo)} à vol d'oiseau (< {limit}) ; dérogation : {label}",
            None,
            geo_km,
            derogation=derogation,
        )
    if road is not None:
        road_r = round(road, _PRECISION_M)
        if road_r >= threshold:
            return DistanceVerdict(
                OK,
                f"{format_km(road_r)} par la route (≥ {limit}) ; {format_km(geo)} à vol d'oiseau",
                None,
                geo_km,
                road_r / 1000,
            )
        return DistanceVerdict(
            NO,
            f"{format_km(road_r)} par la route (< {limit})",
            "DIST-MOINS-20KM",
            geo_km,
            road_r / 1000,
        )
    why = f" ({road_error})" if road_error else ""
    return DistanceVerdict(
        CHECK,
        f"à vérifier : distance routière nécessaire ({format_km(geo)} à vol d'oiseau, "
        f"< {limit}){why}",
        "DIST-ROUTAGE-ECHEC" if road_error else "DIST-ROUTE-NECESSAIRE",
        geo_km,
    )


def check_distance(
    main: tuple[float, float],
    other: tuple[float, float],
    threshold_km: float,
    road_distance: RoadDistance | None = None,
    derogation: str | None = None,
    derogations: Mapping[str, str] | None = None,
) -> DistanceVerdict:
    """Distance rule between the main site and another site, (lon, lat) each.

    ``road_distance`` is asked only under the threshold, and only without derogation;
    see :func:`road_distance_from_settings` for the configured one.
    """
    geo = geodesic_m(main[0], main[1], other[0], other[1])
    road = None
    error = None
    if round(geo, _PRECISION_M) < threshold_km * 1000 and not derogation and road_distance:
        try:
            road = road_distance(main, other)
        except RoutingError as exc:
            error = str(exc)
    return distance_rule(geo, threshold_km, road, error, derogation, derogations)


def road_distance_from_settings(osrm_url: str | None = None) -> RoadDistance | None:
    """A road-distance function backed by OSRM, or None when no service is configured.

    ``osrm_url`` defaults to ``get_settings().osrm_url``.
    """
    if osrm_url is None:
        from zoning.settings import get_settings

        osrm_url = get_settings().osrm_url
    if not osrm_url:
        return None
    from zoning.rules._osrm import Router

    return Router(osrm_url).distance_m
