"""The 20 km rule: geodesic first, road distance (OSRM) only under the threshold.

Points are built at exact geodesic distances with ``Geod.fwd`` from the real
coordinates of the CH de Guéret (FINESS 230000820, Eurostat extract).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback import JsonAnswers, serve
from pyproj import Geod

from zoning import _http
from zoning.io.french import format_km
from zoning.rules.distance import (
    check_distance,
    distance_rule,
    geodesic_m,
    range_rule,
    road_distance_from_settings,
    straight_range_m,
)
from zoning.rules.verdicts import CHECK, NO, OK

GUERET = (1.87113, 46.16497)
GEOD = Geod(ellps="WGS84")
DEROGATIONS = {
    "entites_juridiques_differentes": "entités juridiques différentes",
    "unite_sanitaire_penitentiaire": "unité sanitaire en milieu pénitentiaire",
}


def point_at(km: float, azimuth: float = 63.0) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(GUERET[0], GUERET[1], azimuth, km * 1000)
    return float(lon), float(lat)


@pytest.mark.parametrize(("km", "verdict"), [(19.9, CHECK), (20.0, OK), (20.1, OK)])
def test_threshold_without_routing(km: float, verdict: str) -> None:
    result = check_distance(GUERET, point_at(km), 20.0)
    assert result.verdict == verdict
    assert result.geodesic_km == pytest.approx(km, abs=1e-6)
    if verdict == CHECK:
        assert result.reason.startswith("à vérifier : distance routière nécessaire")


def test_geodesic_matches_geod_fwd_in_every_direction() -> None:
    for azimuth in (0, 45, 90, 180, 270):
        lon, lat = point_at(20.0, azimuth)
        assert geodesic_m(*GUERET, lon, lat) == pytest.approx(20000.0, abs=1e-6)


@pytest.mark.parametrize("code", sorted(DEROGATIONS))
def test_ars_derogation_turns_the_verdict_and_is_recorded(code: str) -> None:
    result = check_distance(GUERET, point_at(5.0), 20.0, derogation=code, derogations=DEROGATIONS)
    assert result.verdict == OK
    assert result.derogation == code
    assert DEROGATIONS[code] in result.reason


def test_unknown_derogation_is_to_check() -> None:
    result = distance_rule(5000.0, 20.0, derogation="copinage", derogations=DEROGATIONS)
    assert result.verdict == CHECK and "dérogation inconnue" in result.reason


@pytest.fixture()
def standin_osrm() -> Iterator[tuple[str, type[JsonAnswers]]]:
    """A stand-in routing service speaking OSRM's route API (tests only)."""
    handler = JsonAnswers.fresh()
    with serve(handler) as url:
        yield url, handler


def _route(metres: float) -> dict[str, object]:
    return {"code": "Ok", "routes": [{"distance": metres, "duration": metres / 15}]}


def test_standin_osrm_road_distance_decides_under_20km(
    standin_osrm: tuple[str, type[JsonAnswers]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = standin_osrm
    monkeypatch.setenv("ZONING_OSRM_URL", url)
    road = road_distance_from_settings()
    assert road is not None
    near = point_at(19.9)
    handler.answers += [(200, _route(23456.0), {}), (200, _route(19999.0), {})]
    first = check_distance(GUERET, near, 20.0, road)
    second = check_distance(GUERET, near, 20.0, road)
    assert (first.verdict, first.road_km) == (OK, pytest.approx(23.456))
    assert "par la route" in first.reason
    assert (second.verdict, second.road_km) == (NO, pytest.approx(19.999))
    assert handler.paths[0].startswith(
        f"/route/v1/driving/{GUERET[0]:.6f},{GUERET[1]:.6f};{near[0]:.6f},{near[1]:.6f}"
    )
    # At or above 20 km in a straight line the service is not asked.
    check_distance(GUERET, point_at(20.0), 20.0, road)
    assert len(handler.paths) == 2


def test_standin_osrm_failure_leaves_it_to_check(
    standin_osrm: tuple[str, type[JsonAnswers]],
) -> None:
    url, handler = standin_osrm
    road = road_distance_from_settings(url)
    assert road is not None
    handler.answers += [(400, {"code": "NoRoute", "message": "Impossible route"}, {})]
    result = check_distance(GUERET, point_at(3.0), 20.0, road)
    assert result.verdict == CHECK
    assert "distance routière nécessaire" in result.reason and "NoRoute" in result.reason


@pytest.fixture()
def routing(
    standin_osrm: tuple[str, type[JsonAnswers]], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, type[JsonAnswers]]:
    """The stand-in, asked through the tool's one HTTP session with one retry, 5 s timeout."""
    monkeypatch.setenv("ZONING_HTTP_RETRIES", "1")
    monkeypatch.setenv("ZONING_HTTP_TIMEOUT", "5")
    return standin_osrm


# The routing service is asked through the one HTTP session: User-Agent, retries on 503
# (``Retry-After`` obeyed), and a service that stays down is not asked again in the run.
def test_routing_carries_the_user_agent_and_is_retried_on_503(
    routing: tuple[str, type[JsonAnswers]],
) -> None:
    url, handler = routing
    handler.answers += [(503, {}, {"Retry-After": "0"}), (200, _route(25_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    result = check_distance(GUERET, point_at(12.0, 90.0), 20.0, road)
    assert result.verdict == OK and result.road_km == pytest.approx(25.0)
    assert handler.agents == [_http.USER_AGENT] * 2


def test_a_routing_service_down_is_asked_once_per_run(
    routing: tuple[str, type[JsonAnswers]],
) -> None:
    url, handler = routing
    road = road_distance_from_settings(url)
    assert road is not None
    first = check_distance(GUERET, point_at(5.0, 90.0), 20.0, road)
    second = check_distance(GUERET, point_at(6.0, 90.0), 20.0, road)
    assert len(handler.agents) == 2  # the first pair, retried once; not the second
    for result in (first, second):
        assert result.verdict == CHECK
        assert (
            "le service de routage" in result.reason
            and "ne répond pas après 2 essais" in result.reason
        )
        assert "HTTP 503" in result.reason


def test_no_route_is_not_a_service_down(routing: tuple[str, type[JsonAnswers]]) -> None:
    url, handler = routing
    handler.answers += [(400, {"code": "NoRoute"}, {}), (200, _route(21_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    nowhere = check_distance(GUERET, point_at(5.0, 90.0), 20.0, road)
    assert nowhere.verdict == CHECK and "NoRoute" in nowhere.reason
    assert check_distance(GUERET, point_at(6.0, 90.0), 20.0, road).verdict == OK
    assert len(handler.agents) == 2


def test_no_routing_service_configured() -> None:
    assert road_distance_from_settings() is None  # conftest removes ZONING_OSRM_URL


def raw_commune(sources_dir: Path, code: str) -> Any:
    """A commune's polygon as the raw 2018 file has it (json + shapely, not the store)."""
    from shapely.geometry import shape

    folder = sources_dir / "communes_france_geojson_2018"
    dep = code[:2]
    (path,) = folder.glob(f"communes-{dep}-*.geojson")
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["code"] == code:
            return shape(feature["geometry"])
    raise KeyError(code)


def store_commune(store: Any, code: str) -> Any:
    communes = store.communes_gdf()
    return communes.loc[communes["code"] == code].iloc[0].geometry


def brute_range(lon: float, lat: float, area: Any, step_deg: float = 0.0001) -> tuple[float, float]:
    """Independent truth: geodesics to every vertex of the boundary cut to ~10 m."""
    import shapely

    fine = shapely.get_coordinates(shapely.segmentize(area.boundary, step_deg))
    _, _, dist = GEOD.inv([lon] * len(fine), [lat] * len(fine), fine[:, 0], fine[:, 1])
    return float(min(dist)), float(max(dist))


# Communes unchanged since 2018 (asserted below: the store's polygon is the raw one).
NEAR_GUERET = ["23008", "23193", "23030", "23176", "23031"]


@pytest.mark.parametrize("code", NEAR_GUERET)
def test_straight_range_to_a_commune_matches_raw_polygons(
    store: Any, sources_dir: Path, code: str
) -> None:
    """Shortest and longest geodesic from the CH de Guéret to a commune: the tool (store
    polygon, projection) against geodesics to every 10 m of the raw 2018 boundary."""
    import shapely

    raw = raw_commune(sources_dir, code)
    mine = store_commune(store, code)
    assert mine.symmetric_difference(raw).area < 1e-9 * raw.area  # unchanged commune
    nearest, farthest = straight_range_m(shapely.Point(*GUERET), mine)
    low, high = brute_range(*GUERET, raw)
    if raw.covers(shapely.Point(*GUERET)):
        assert nearest == 0.0
    else:
        # The vertices every ~10 m are at most 5 m farther than the boundary between them.
        assert low - 6 <= nearest <= low + 0.01
    assert farthest == pytest.approx(high, abs=1.0)


def test_threshold_a_few_metres_from_the_commune(store: Any, sources_dir: Path) -> None:
    """Exact near the threshold: with the threshold 10 m under the commune's nearest
    point the rule is met, 10 m over it it is « à vérifier »."""
    import shapely

    code = "23008"  # Aubusson, about 30 km from Guéret
    low, _ = brute_range(*GUERET, raw_commune(sources_dir, code))
    nearest, farthest = straight_range_m(shapely.Point(*GUERET), store_commune(store, code))
    under = range_rule(nearest, farthest, (low - 10) / 1000, ["Aubusson (23008)"])
    over = range_rule(nearest, farthest, (low + 10) / 1000, ["Aubusson (23008)"])
    assert under.verdict == OK and "toute la commune est à" in under.reason
    assert over.verdict == CHECK and "de part et d'autre" in over.reason


def test_range_between_two_communes(store: Any, sources_dir: Path) -> None:
    """Polygon to polygon (both sites known by commune only), against every pair of
    vertices of the raw boundaries cut to ~50 m."""
    import shapely

    a_code, b_code = "23096", "23008"  # Guéret, Aubusson
    a, b = raw_commune(sources_dir, a_code), raw_commune(sources_dir, b_code)
    nearest, farthest = straight_range_m(store_commune(store, a_code), store_commune(store, b_code))
    fa = shapely.get_coordinates(shapely.segmentize(a.boundary, 0.0005))
    fb = shapely.get_coordinates(shapely.segmentize(b.boundary, 0.0005))
    ia = np.repeat(np.arange(len(fa)), len(fb))
    ib = np.tile(np.arange(len(fb)), len(fa))
    _, _, dist = GEOD.inv(fa[ia, 0], fa[ia, 1], fb[ib, 0], fb[ib, 1])
    # Vertices every ~40 m: each pair is at most 40 m farther than the closest points.
    assert dist.min() - 45 <= nearest <= dist.min() + 0.01
    assert farthest == pytest.approx(dist.max(), abs=1.0)


def test_range_rule_texts() -> None:
    far = range_rule(23_456.0, 35_100.0, 20.0, ["Aubusson (23008)"])
    assert far.verdict == OK
    assert far.reason == (
        "toute la commune est à 20 km ou plus à vol d'oiseau "
        "(Aubusson (23008) : entre 23,4 km et 35,1 km à vol d'oiseau)"
    )
    # Wholly under 20 km in a straight line proves nothing: a road can be longer.
    near = range_rule(12_345.0, 18_901.0, 20.0, ["Sainte-Feyre (23193)"])
    assert near.verdict == CHECK
    assert (
        "entre 12,3 km et 19,0 km" in near.reason
        and "la route peut être plus longue" in near.reason
    )
    assert "adresse du site" in near.reason and "ZONING_OSRM_URL" in near.reason
    both = range_rule(15_000.0, 25_000.0, 20.0, ["Guéret (23096)", "Aubusson (23008)"])
    assert both.verdict == CHECK and "adresses des sites" in both.reason
    waived = range_rule(
        5_000.0, 9_000.0, 20.0, ["X (23001)"], "unite_sanitaire_penitentiaire", DEROGATIONS
    )
    assert waived.verdict == OK and DEROGATIONS["unite_sanitaire_penitentiaire"] in waived.reason


@pytest.mark.parametrize(
    ("metres", "up", "text"),
    [(19_960.0, False, "19,9 km"), (19_960.0, True, "20,0 km"), (20_000.0, False, "20,0 km"),
     (18_900.0, True, "18,9 km"), (18_900.4, True, "19,0 km")],
)  # fmt: skip
def test_km_never_rounds_across_the_threshold(metres: float, up: bool, text: str) -> None:
    assert format_km(metres, up=up) == text


def test_distance_just_under_threshold_is_not_written_20() -> None:
    result = distance_rule(19_960.0, 20.0)
    assert result.verdict == CHECK and "19,9 km" in result.reason and "20,0" not in result.reason


def test_point_inside_the_commune_is_zero() -> None:
    import shapely
    from shapely.geometry import box

    nearest, farthest = straight_range_m(shapely.Point(1.0, 46.0), box(0.9, 45.9, 1.1, 46.1))
    assert nearest == 0.0
    corners = [GEOD.inv(1.0, 46.0, x, y)[2] for x in (0.9, 1.1) for y in (45.9, 46.1)]
    assert farthest == pytest.approx(max(corners), abs=0.5)
