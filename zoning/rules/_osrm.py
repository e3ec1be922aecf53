"""The only place that talks to a routing service (OSRM HTTP route API).

Kept private so that network access stays in one module: the rest of the rules are
pure functions. Nothing here runs unless ``ZONING_OSRM_URL`` is set. Requests go
through the tool's one HTTP session (:mod:`zoning._http`): User-Agent, timeout and
retries (``Retry-After`` obeyed) from the settings.
"""

from __future__ import annotations

import logging

from zoning import _http
from zoning.errors import RoutingError

log = logging.getLogger(__name__)


class Router:
    """Road distances from one OSRM service, for one run.

    A service that failed after every retry is not asked again during the run: each
    later pair gets the same error at once, instead of the same wait for the same
    failure (a list of a thousand rows with the service down would wait hours). A pair
    with no route does not count as a failure of the service.

    Parameters
    ----------
    base_url
        e.g. ``http://127.0.0.1:5000``.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.down: RoutingError | None = None

    def distance_m(self, start: tuple[float, float], end: tuple[float, float]) -> float:
        """Shortest driving distance in metres between two (lon, lat) points.

        Calls ``GET {base_url}/route/v1/driving/{lon},{lat};{lon},{lat}?overview=false``
        and returns ``routes[0].distance``.

        Raises
        ------
        RoutingError
            On a service down after every retry, an HTTP error, or an answer without a
            route.
        """
        if self.down is not None:
            raise RoutingError(str(self.down))
        coords = f"{start[0]:.6f},{start[1]:.6f};{end[0]:.6f},{end[1]:.6f}"
        url = f"{self.base_url}/route/v1/driving/{coords}"
        log.debug("routing request %s", url)
        try:
            response = _http.request(
                "GET",
                url,
                what=f"le service de routage {self.base_url}",
                error=RoutingError,
                params={"overview": "false"},
            )
        except RoutingError as exc:
            self.down = exc
            raise
        try:
            payload = response.json()
        except ValueError as exc:
            raise RoutingError(f"réponse illisible du service de routage ({exc})") from exc
        code = payload.get("code") if isinstance(payload, dict) else None
        if response.status_code != 200 or code != "Ok" or not payload.get("routes"):
            raise RoutingError(f"pas d'itinéraire (HTTP {response.status_code}, code {code})")
        try:
            return float(payload["routes"][0]["distance"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RoutingError("réponse du service de routage sans distance") from exc
