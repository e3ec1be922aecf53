"""The one place that talks HTTP: one session per thread for every client.

Downloads of upstream files (:mod:`zoning.sources.fetch`), the geocoder (addok or the
Géoplateforme), the local geocoder's health check and the routing service (OSRM) all
go through :func:`request`: every request carries the tool's User-Agent and a timeout,
and is retried on timeouts, connection errors, HTTP 429 and 5xx, waiting what
``Retry-After`` asks when the service says it (the Géoplateforme answers 429 beyond 50
requests/s per IP), for a bounded number of attempts and a bounded wait, then gives up
with a French message. Timeouts and retries come from the settings
(``ZONING_HTTP_TIMEOUT``, ``ZONING_HTTP_RETRIES``).
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from zoning import __version__
from zoning.errors import ServiceUnavailableError, ZoningError

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

USER_AGENT = f"zoning/{__version__} (outil de zonage des ARS; python-requests)"
#: Statuses worth another attempt: rate limit, server errors, gateways.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: Longest single wait accepted from ``Retry-After``: beyond, give up and say when to retry.
MAX_RETRY_WAIT = 60.0


_SESSIONS = threading.local()


def session() -> requests.Session:
    """This thread's HTTP session (connections kept alive), with the tool's User-Agent."""
    import requests

    current: requests.Session | None = getattr(_SESSIONS, "session", None)
    if current is None:
        current = requests.Session()
        current.headers["User-Agent"] = USER_AGENT
        _SESSIONS.session = current
    return current


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (seconds or an HTTP date), ``None`` if absent
    or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def request(
    method: str,
    url: str,
    *,
    what: str,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float = 0.5,
    error: Callable[[str], ZoningError] = ServiceUnavailableError,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> requests.Response:
    """One call to a web service, retried with exponential backoff.

    Parameters
    ----------
    method, url
        The request (``url`` may hold an address: it never reaches a log line).
    what
        The service as named in messages (« le géocodeur https://… »).
    timeout, retries
        Seconds per attempt and extra attempts (default: the settings).
    backoff
        First wait in seconds, doubled at each retry; ``Retry-After`` wins when longer.
    error
        Builds the error raised when every attempt failed (or the request cannot be
        sent at all), from its French message.
    kwargs
        Passed to :meth:`requests.Session.request` (``params``, ``data``, ``stream``…).

    Returns
    -------
    requests.Response
        The first answer that is neither a timeout nor a retried status; any other
        status (400, 404…) is returned as it came, for the caller to judge.
    """
    import requests

    if timeout is None or retries is None:
        from zoning.settings import get_settings

        settings = get_settings()
        timeout = settings.http_timeout if timeout is None else timeout
        retries = settings.http_retries if retries is None else retries
    last = logged = ""
    for attempt in range(retries + 1):
        wait = backoff * 2**attempt
        try:
            response = session().request(method, url, timeout=timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            # Not str(exc): it holds the URL, hence the address, which must not reach
            # a log line (this error is logged by batch runs).
            last = logged = type(exc).__name__
        except requests.RequestException as exc:
            # An unusable request (malformed URL, redirect loop...): it would fail alike
            # on every attempt. The type only, for the same reason as above.
            raise error(f"{what} : requête impossible ({type(exc).__name__})") from exc
        else:
            if response.status_code not in RETRY_STATUS:
                return response
            logged = f"HTTP {response.status_code}"
            last = f"{logged} : {response.text[:200]}"
            asked = retry_after(response.headers.get("Retry-After"))
            if response.status_code == 429:
                last = "HTTP 429 : trop de requêtes, le service limite le débit"
            if asked is not None and asked > MAX_RETRY_WAIT:
                raise error(
                    f"{what} limite le débit ({logged}) et demande d'attendre "
                    f"{asked:.0f} s avant de réessayer : relancez plus tard"
                )
            if asked is not None:
                wait = max(wait, asked)
        if attempt < retries:
            log.warning("%s: %s failed (%s); retry in %.1f s", what, method, logged, wait)
            sleep(wait)
    tries = f"{retries + 1} essai{'s' if retries else ''}"
    raise error(f"{what} ne répond pas après {tries} ({last})")
