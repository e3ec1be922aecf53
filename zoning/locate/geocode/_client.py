"""The one place that talks HTTP to addok (``/search/`` and ``/search/csv/``).

Retries with exponential backoff on timeouts, connection errors, HTTP 429 and 5xx;
anything else is returned to the caller as it came.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from zoning import __version__
from zoning.errors import ZoningError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class GeocoderUnavailableError(ZoningError):
    """The geocoder did not answer (down, overloaded, or refusing) after every retry."""

    exit_code = 6


class AddokClient:
    """Minimal client of addok's HTTP API.

    Parameters
    ----------
    base_url
        e.g. ``https://api-adresse.data.gouv.fr`` or ``http://127.0.0.1:7878``.
    timeout
        Seconds allowed for one request (a CSV chunk included).
    retries
        Extra attempts after the first one.
    backoff
        First wait in seconds; doubled at each retry (``Retry-After`` wins if longer).
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"zoning/{__version__}"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        last = logged = ""
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                # Not str(exc): it holds the URL, hence the address, which must not reach
                # a log line (this error is logged by batch runs).
                last = logged = type(exc).__name__
                wait = self.backoff * 2**attempt
            else:
                if response.status_code not in RETRY_STATUS:
                    return response
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                logged = f"HTTP {response.status_code}"
                wait = self.backoff * 2**attempt
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = max(wait, float(retry_after))
            if attempt < self.retries:
                log.warning("addok %s %s failed (%s); retry in %.1f s", method, path, logged, wait)
                time.sleep(wait)
        raise GeocoderUnavailableError(
            f"le géocodeur {self.base_url} ne répond pas après {self.retries + 1} essais ({last})"
        )

    def search(self, q: str, limit: int = 1, **filters: str) -> dict[str, Any]:
        """``GET /search/``: a GeoJSON FeatureCollection (best first)."""
        params = {"q": q, "limit": str(limit), "autocomplete": "0"}
        params.update({k: v for k, v in filters.items() if v})
        response = self._request("GET", "/search/", params=params)
        if not response.ok:
            raise GeocoderUnavailableError(
                f"le géocodeur {self.base_url} a refusé la requête « {q} » "
                f"(HTTP {response.status_code} : {response.text[:200]})"
            )
        data: dict[str, Any] = response.json()
        return data

    def search_csv(
        self, csv_text: str, columns: list[str], filters: dict[str, str] | None = None
    ) -> str:
        """``POST /search/csv/``: the same CSV with result columns appended.

        Parameters
        ----------
        csv_text
            UTF-8 CSV with a header line.
        columns
            Columns joined to form each query.
        filters
            Filter name -> column holding each row's value (``{"citycode": "insee"}``).
        """
        # Explicit delimiter: addok-csv otherwise sniffs it, and commas in addresses fool it.
        form: list[tuple[str, str]] = [("delimiter", ","), ("quote", '"')]
        form += [("columns", c) for c in columns]
        form += [(name, column) for name, column in (filters or {}).items()]
        files = {"data": ("chunk.csv", csv_text.encode("utf-8"), "text/csv")}
        response = self._request("POST", "/search/csv/", data=form, files=files)
        if not response.ok:
            raise GeocoderUnavailableError(
                f"le géocodeur {self.base_url} a refusé un lot CSV "
                f"(HTTP {response.status_code} : {response.text[:200]})"
            )
        return response.content.decode("utf-8-sig")
