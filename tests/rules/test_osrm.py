"""The routing service is asked through the tool's one HTTP session (real loopback server).

User-Agent, retries on 503 (``Retry-After`` obeyed), and a service that stays down is not
asked again for every pair of the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
from loopback import serve
from pyproj import Geod

from zoning import _http
from zoning.rules.distance import check_distance, road_distance_from_settings
from zoning.rules.verdicts import CHECK, OK

GUERET = (1.87113, 46.16497)


def point_at(km: float) -> tuple[float, float]:
    lon, lat, _ = Geod(ellps="WGS84").fwd(GUERET[0], GUERET[1], 90.0, km * 1000)
    return float(lon), float(lat)


class Routing(BaseHTTPRequestHandler):
    """OSRM's route API: answers taken in order from ``answers`` (status, body, headers)."""

    answers: ClassVar[list[tuple[int, object, dict[str, str]]]] = []
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).agents.append(self.headers.get("User-Agent", ""))
        status, body, headers = type(self).answers.pop(0) if type(self).answers else (503, {}, {})
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def routing(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[Routing]]]:
    monkeypatch.setenv("ZONING_HTTP_RETRIES", "1")
    monkeypatch.setenv("ZONING_HTTP_TIMEOUT", "5")
    handler = type("Handler", (Routing,), {"answers": [], "agents": []})
    with serve(handler) as url:
        yield url, handler


def _route(metres: float) -> dict[str, object]:
    return {"code": "Ok", "routes": [{"distance": metres, "duration": metres / 15}]}


def test_routing_carries_the_user_agent_and_is_retried_on_503(
    routing: tuple[str, type[Routing]],
) -> None:
    url, handler = routing
    handler.answers += [(503, {}, {"Retry-After": "0"}), (200, _route(25_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    result = check_distance(GUERET, point_at(12.0), 20.0, road)
    assert result.verdict == OK and result.road_km == pytest.approx(25.0)
    assert handler.agents == [_http.USER_AGENT] * 2


def test_a_routing_service_down_is_asked_once_per_run(routing: tuple[str, type[Routing]]) -> None:
    url, handler = routing
    road = road_distance_from_settings(url)
    assert road is not None
    first = check_distance(GUERET, point_at(5.0), 20.0, road)
    second = check_distance(GUERET, point_at(6.0), 20.0, road)
    assert len(handler.agents) == 2  # the first pair, retried once; not the second
    for result in (first, second):
        assert result.verdict == CHECK
        assert (
            "le service de routage" in result.reason
            and "ne répond pas après 2 essais" in result.reason
        )
        assert "HTTP 503" in result.reason


def test_no_route_is_not_a_service_down(routing: tuple[str, type[Routing]]) -> None:
    url, handler = routing
    handler.answers += [(400, {"code": "NoRoute"}, {}), (200, _route(21_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    nowhere = check_distance(GUERET, point_at(5.0), 20.0, road)
    assert nowhere.verdict == CHECK and "NoRoute" in nowhere.reason
    assert check_distance(GUERET, point_at(6.0), 20.0, road).verdict == OK
    assert len(handler.agents) == 2
