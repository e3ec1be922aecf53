"""addok's HTTP API (``/search`` and ``/search/csv``), over the tool's one HTTP session.

The Géoplateforme (the public BAN service) and a local addok answer the same paths.
Requests go through :func:`zoning._http.request`: User-Agent, timeout, retries with
backoff on timeouts, connection errors, HTTP 429 (``Retry-After`` obeyed) and 5xx.
A URL of the former BAN API, shut at the end of January 2026, is refused before any
request, with a message naming the new service.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests

from zoning import _http
from zoning.errors import GeocoderUnavailableError, RetiredGeocoderError
from zoning.settings import DEFAULT_ADDOK_URL, RETIRED_GEOCODER_HOSTS, get_settings

log = logging.getLogger(__name__)


#: Seconds allowed per row of a ``/search/csv`` chunk, when more than the settings' timeout
#: (a chunk of 2 000 rows may take a minute on a small, busy local addok).
CSV_SECONDS_PER_ROW = 0.1


def retired_message(base_url: str) -> str | None:
    """Why this geocoder URL cannot work (the former BAN API), or ``None``."""
    host = (urlsplit(base_url.strip()).hostname or "").lower()
    if host not in RETIRED_GEOCODER_HOSTS:
        return None
    return (
        f"ZONING_ADDOK_URL désigne {host}, l'ancienne API de la Base Adresse Nationale, "
        "fermée fin janvier 2026 : le service a migré vers la Géoplateforme de l'IGN, "
        f"{DEFAULT_ADDOK_URL} (valeur par défaut : retirez ZONING_ADDOK_URL, ou "
        f"ZONING_ADDOK_URL={DEFAULT_ADDOK_URL}). Aucune adresse n'a été envoyée."
    )


class AddokClient:
    """Minimal client of addok's HTTP API.

    Parameters
    ----------
    base_url
        e.g. ``https://data.geopf.fr/geocodage`` or ``http://127.0.0.1:7878``.
    timeout
        Seconds allowed for one request (a CSV chunk included); default: the settings.
    retries
        Extra attempts after the first one; default: the settings.
    backoff
        First wait in seconds; doubled at each retry (``Retry-After`` wins if longer).
    """

    def __init__(
        self,
        base_url: str,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _request(
        self, method: str, path: str, timeout: float | None = None, **kwargs: Any
    ) -> requests.Response:
        retired = retired_message(self.base_url)
        if retired:
            raise RetiredGeocoderError(retired)
        return _http.request(
            method,
            f"{self.base_url}{path}",
            what=f"le géocodeur {self.base_url}",
            timeout=timeout if timeout is not None else self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            error=GeocoderUnavailableError,
            **kwargs,
        )

    def search(self, q: str, limit: int = 1, **filters: str) -> dict[str, Any]:
        """``GET /search``: a GeoJSON FeatureCollection (best first)."""
        params = {"q": q, "limit": str(limit), "autocomplete": "0"}
        params.update({k: v for k, v in filters.items() if v})
        response = self._request("GET", "/search", params=params)
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
        """``POST /search/csv``: the same CSV with result columns appended.

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
        rows = csv_text.count("\n")
        # A timeout set on this client is kept as is; the settings' grows with the chunk.
        timeout = self.timeout
        if timeout is None:
            timeout = max(get_settings().http_timeout, rows * CSV_SECONDS_PER_ROW)
        response = self._request("POST", "/search/csv", data=form, files=files, timeout=timeout)
        if not response.ok:
            raise GeocoderUnavailableError(
                f"le géocodeur {self.base_url} a refusé un lot CSV "
                f"(HTTP {response.status_code} : {response.text[:200]})"
            )
        return response.content.decode("utf-8-sig")
