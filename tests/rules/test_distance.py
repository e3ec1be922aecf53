"""The 20 km rule: geodesic first, road distance (OSRM) only under the threshold.

Points are built at exact geodesic distances with ``Geod.fwd`` from the real
coordinates of the CH de Guéret (FINESS 230000820, Eurostat extract).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from pyproj import Geod

from zoning.rules.distance import (
    area_distance_rule,
    check_distance,
    distance_rule,
    geodesic_m,
    min_geodesic_to_area_m,
    road_distance_from_settings,
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


class _StandInRouting(BaseHTTPRequestHandler):
    """A stand-in routing service speaking OSRM's route API (tests only)."""

    answers: ClassVar[list[tuple[int, dict[str, object]]]] = []
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        status, body = type(self).answers.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def standin_osrm() -> Iterator[tuple[str, type[_StandInRouting]]]:
    handler = type("Handler", (_StandInRouting,), {"answers": [], "paths": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _route(metres: float) -> dict[str, object]:
    return {"code": "Ok", "routes": [{"distance": metres, "duration": metres / 15}]}


def test_standin_osrm_road_distance_decides_under_20km(
    standin_osrm: tuple[str, type[_StandInRouting]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = standin_osrm
    monkeypatch.setenv("ZONING_OSRM_URL", url)
    road = road_distance_from_settings()
    assert road is not None
    near = point_at(19.9)
    handler.answers += [(200, _route(23456.0)), (200, _route(19999.0))]
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
    standin_osrm: tuple[str, type[_StandInRouting]],
) -> None:
    url, handler = standin_osrm
    road = road_distance_from_settings(url)
    assert road is not None
    handler.answers += [(400, {"code": "NoRoute", "message": "Impossible route"})]
    result = check_distance(GUERET, point_at(3.0), 20.0, road)
    assert result.verdict == CHECK
    assert "distance routière nécessaire" in result.reason and "NoRoute" in result.reason


def test_no_routing_service_configured() -> None:
    assert road_distance_from_settings() is None  # conftest removes ZONING_OSRM_URL


@pytest.mark.parametrize(("code", "verdict"), [("23008", OK), ("23193", CHECK)])
def test_site_known_only_by_commune(fixture_store: Any, code: str, verdict: str) -> None:
    """Lower bound to the commune polygon: Aubusson is far enough from the CH de Guéret
    whatever the address; Sainte-Feyre (next to Guéret) needs the address."""
    import shapely

    communes = fixture_store.communes_gdf()
    row = communes.loc[communes["code"] == code].iloc[0]
    area = row.geometry
    bound = min_geodesic_to_area_m(*GUERET, area)
    # Independent check: a 10 m densification of the boundary is never closer than the bound,
    # and no more than the 50 m allowance farther.
    fine = shapely.get_coordinates(shapely.segmentize(area.boundary, 0.0001))
    _, _, dist = GEOD.inv([GUERET[0]] * len(fine), [GUERET[1]] * len(fine), fine[:, 0], fine[:, 1])
    assert bound <= min(dist) <= bound + 60
    # and the commune's La Poste reference point (inside it) is farther than the bound
    postal = fixture_store.postal()
    ref = postal.loc[postal["code"] == code].iloc[0]
    assert geodesic_m(*GUERET, float(ref["lon"]), float(ref["lat"])) >= bound
    result = area_distance_rule(bound, 20.0, str(row["name"]))
    assert result.verdict == verdict


def test_point_inside_the_commune_is_zero() -> None:
    from shapely.geometry import box

    assert min_geodesic_to_area_m(1.0, 46.0, box(0.9, 45.9, 1.1, 46.1)) == 0.0
