"""The 20 km rule: geodesic distance first, road distance only when it matters.

A straight-line (geodesic, WGS84) distance at or above the threshold settles the
rule, since a road is never shorter. Under the threshold the texts ask for the road
distance: it comes from an OSRM service when one is configured, otherwise the verdict
is "à vérifier". An ARS derogation is an explicit input that turns the verdict and is
recorded in the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from zoning.rules.verdicts import CHECK, NO, OK, Verdict

GEOD = Geod(ellps="WGS84")

# Distances are compared at centimetre precision so that a point built at exactly
# 20 km (Geod.fwd) is not rejected for a 1e-9 m rounding error.
_PRECISION_M = 2

RoadDistance = Callable[[tuple[float, float], tuple[float, float]], float]


@dataclass(frozen=True)
class DistanceVerdict:
    """Outcome of the distance rule for one (main site, other site) pair."""

    verdict: Verdict
    reason: str
    geodesic_km: float
    road_km: float | None = None
    derogation: str | None = None


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


def min_geodesic_to_area_m(
    lon: float, lat: float, area: BaseGeometry, step_m: float = 100.0
) -> float:
    """A lower bound of the geodesic distance (m) from a point to any point of ``area``.

    Used when a site is known only by its commune: if even the commune's nearest point
    is 20 km away, every address in it is. The boundary is densified to ``step_m`` (in
    metres, approximately); the distance to a segment is at least the distance to its
    nearer end minus half its length, so the bound subtracts ``step_m / 2``. Zero when
    the point is inside the area.
    """
    import shapely

    if area.covers(shapely.Point(lon, lat)):
        return 0.0
    # Degrees per metre at this latitude (longitude shrinks with cos(lat)); the
    # smaller one keeps every densified segment at most ``step_m`` long.
    step_deg = step_m / 111_320.0 * max(0.2, float(np.cos(np.radians(lat))))
    coords = shapely.get_coordinates(shapely.segmentize(area.boundary, step_deg))
    _, _, dist = GEOD.inv(
        np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1]
    )
    return max(0.0, float(np.min(dist)) - step_m / 2)


def area_distance_rule(lower_bound: float, threshold_km: float, commune: str) -> DistanceVerdict:
    """Distance rule for a site known only by its commune (pure).

    At or above the threshold for the commune's nearest point, the rule is met for any
    address in it; otherwise the site's position is needed.
    """
    limit = f"{threshold_km:g} km"
    if round(lower_bound, _PRECISION_M) >= threshold_km * 1000:
        return DistanceVerdict(
            OK,
            f"toute la commune {commune} est à {_km(lower_bound)} ou plus à vol d'oiseau "
            f"(≥ {limit})",
            lower_bound / 1000,
        )
    return DistanceVerdict(
        CHECK,
        f"à vérifier : adresse du site nécessaire (la commune {commune} commence à "
        f"{_km(lower_bound)} du site principal, < {limit})",
        lower_bound / 1000,
    )


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}".replace(".", ",") + " km"


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
        Threshold of the programme (20 km).
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
        return DistanceVerdict(OK, f"{_km(geo)} à vol d'oiseau (≥ {limit})", geo_km)
    if derogation:
        label = (derogations or {}).get(derogation)
        if label is None:
            known = ", ".join(sorted(derogations or {})) or "aucune"
            return DistanceVerdict(
                CHECK,
                f"dérogation inconnue {derogation!r} (connues : {known})",
                geo_km,
                derogation=derogation,
            )
        return DistanceVerdict(
            OK,
            f"{_km(geo)} à vol d'oiseau (< {limit}) ; dérogation : {label}",
            geo_km,
            derogation=derogation,
        )
    if road is not None:
        road_r = round(road, _PRECISION_M)
        if road_r >= threshold:
            return DistanceVerdict(
                OK,
                f"{_km(road_r)} par la route (≥ {limit}) ; {_km(geo)} à vol d'oiseau",
                geo_km,
                road_r / 1000,
            )
        return DistanceVerdict(NO, f"{_km(road_r)} par la route (< {limit})", geo_km, road_r / 1000)
    why = f" ({road_error})" if road_error else ""
    return DistanceVerdict(
        CHECK,
        f"à vérifier : distance routière nécessaire ({_km(geo)} à vol d'oiseau, < {limit}){why}",
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
        # Here only: the routing module imports requests (50 ms a run without routing).
        from zoning.rules._osrm import RoutingError

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
    import requests

    from zoning.rules._osrm import road_distance_m

    session = requests.Session()
    url = osrm_url

    def road(start: tuple[float, float], end: tuple[float, float]) -> float:
        return road_distance_m(url, start, end, session=session)

    return road
