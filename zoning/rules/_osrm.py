"""The only place that talks to a routing service (OSRM HTTP route API).

Kept private so that network access stays in one module: the rest of the rules are
pure functions. Nothing here runs unless ``ZONING_OSRM_URL`` is set.
"""

from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)


class RoutingError(Exception):
    """The routing service gave no usable answer."""


def road_distance_m(
    base_url: str,
    start: tuple[float, float],
    end: tuple[float, float],
    timeout: float = 10.0,
    session: requests.Session | None = None,
) -> float:
    """Shortest driving distance in metres between two (lon, lat) points.

    Calls ``GET {base_url}/route/v1/driving/{lon},{lat};{lon},{lat}?overview=false``
    and returns ``routes[0].distance``.

    Raises
    ------
    RoutingError
        On a network error, an HTTP error, or an answer without a route.
    """
    coords = f"{start[0]:.6f},{start[1]:.6f};{end[0]:.6f},{end[1]:.6f}"
    url = f"{base_url.rstrip('/')}/route/v1/driving/{coords}"
    getter = session or requests
    log.debug("routing request %s", url)
    try:
        response = getter.get(url, params={"overview": "false"}, timeout=timeout)
        payload = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RoutingError(f"service de routage injoignable ou réponse illisible ({exc})") from exc
    if response.status_code != 200 or payload.get("code") != "Ok" or not payload.get("routes"):
        code = payload.get("code") if isinstance(payload, dict) else None
        raise RoutingError(f"pas d'itinéraire (HTTP {response.status_code}, code {code})")
    try:
        return float(payload["routes"][0]["distance"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RoutingError("réponse du service de routage sans distance") from exc
