"""The routing service is asked through the tool's one HTTP session (real loopback server).

User-Agent, retries on 503 (``Retry-After`` obeyed), and a service that stays down is not
asked again for every pair of the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import JsonAnswers, serve
from pyproj import Geod

from zoning import _http
from zoning.rules.distance import check_distance, road_distance_from_settings
from zoning.rules.verdicts import CHECK, OK

GUERET = (1.87113, 46.16497)


def point_at(km: float) -> tuple[float, float]:
    lon, lat, _ = Geod(ellps="WGS84").fwd(GUERET[0], GUERET[1], 90.0, km * 1000)
    return float(lon), float(lat)


@pytest.fixture()
def routing(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[JsonAnswers]]]:
    monkeypatch.setenv("ZONING_HTTP_RETRIES", "1")
    monkeypatch.setenv("ZONING_HTTP_TIMEOUT", "5")
    handler = JsonAnswers.fresh()
    with serve(handler) as url:
        yield url, handler


def _route(metres: float) -> dict[str, object]:
    return {"code": "Ok", "routes": [{"distance": metres, "duration": metres / 15}]}


def test_routing_carries_the_user_agent_and_is_retried_on_503(
    routing: tuple[str, type[JsonAnswers]],
) -> None:
    url, handler = routing
    handler.answers += [(503, {}, {"Retry-After": "0"}), (200, _route(25_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    result = check_distance(GUERET, point_at(12.0), 20.0, road)
    assert result.verdict == OK and result.road_km == pytest.approx(25.0)
    assert handler.agents == [_http.USER_AGENT] * 2


def test_a_routing_service_down_is_asked_once_per_run(
    routing: tuple[str, type[JsonAnswers]],
) -> None:
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


def test_no_route_is_not_a_service_down(routing: tuple[str, type[JsonAnswers]]) -> None:
    url, handler = routing
    handler.answers += [(400, {"code": "NoRoute"}, {}), (200, _route(21_000.0), {})]
    road = road_distance_from_settings(url)
    assert road is not None
    nowhere = check_distance(GUERET, point_at(5.0), 20.0, road)
    assert nowhere.verdict == CHECK and "NoRoute" in nowhere.reason
    assert check_distance(GUERET, point_at(6.0), 20.0, road).verdict == OK
    assert len(handler.agents) == 2
