"""The one place that talks HTTP: downloads of upstream files and calls to web services.

Every request carries the tool's User-Agent and a timeout; calls to services (the
geocoder) are retried on timeouts, connection errors, HTTP 429 and 5xx, waiting what
``Retry-After`` asks when the service says it (the Géoplateforme answers 429 beyond 50
requests/s per IP), for a bounded number of attempts and a bounded wait, then give up
with a French message. Timeouts and retries come from the settings
(``ZONING_HTTP_TIMEOUT``, ``ZONING_HTTP_RETRIES``).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning import __version__
from zoning.errors import ZoningError
from zoning.io.atomic import atomic_open

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

USER_AGENT = f"zoning/{__version__} (outil de zonage des ARS; python-requests)"
#: Statuses worth another attempt: rate limit, server errors, gateways.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: Longest single wait accepted from ``Retry-After``: beyond, give up and say when to retry.
MAX_RETRY_WAIT = 60.0


class DownloadError(ZoningError):
    """An upstream file could not be downloaded."""


class ServiceUnavailableError(ZoningError):
    """A web service did not answer usefully after every retry (down, overloaded, refusing)."""

    exit_code = 6


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
        Builds the error raised when every attempt failed, from its French message.

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


def download(
    url: str,
    dest: Path,
    *,
    timeout: float = 60.0,
    progress: bool = True,
    expected_size: int | None = None,
    expected_sha256: str | None = None,
) -> dict[str, Any]:
    """Stream ``url`` to ``dest`` (atomically), returning its name, size and sha256.

    With ``expected_size`` / ``expected_sha256`` (the manifest's pins), a file that
    differs is refused: removed, never put under ``dest``, and :class:`DownloadError`
    says which file and what differs.
    """
    import requests
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # The file appears under its name only once complete and checked (zoning.io.atomic):
    # an error raised inside the block removes the temporary file.
    with atomic_open(dest, "wb") as handle:
        try:
            with session().get(url, stream=True, timeout=timeout) as resp:
                if resp.status_code != 200:
                    raise DownloadError(f"téléchargement de {url} : HTTP {resp.status_code}")
                total = int(resp.headers.get("Content-Length") or 0) or None
                with tqdm(
                    total=total, unit="B", unit_scale=True, desc=dest.name, disable=not progress
                ) as bar:
                    for block in resp.iter_content(chunk_size=1 << 16):
                        handle.write(block)
                        digest.update(block)
                        bar.update(len(block))
        except requests.RequestException as exc:
            raise DownloadError(f"téléchargement de {url} impossible : {exc}") from exc
        size, sha = handle.tell(), digest.hexdigest()
        wrong = []
        if expected_size is not None and size != expected_size:
            wrong.append(f"taille {size} octets au lieu de {expected_size}")
        if expected_sha256 is not None and sha != expected_sha256:
            wrong.append(f"sha256 {sha} au lieu de {expected_sha256}")
        if wrong:
            raise DownloadError(
                f"fichier refusé : {dest.name} téléchargé de {url} ne correspond pas au "
                f"manifeste ({' ; '.join(wrong)}) ; miroir altéré ou fichier changé en amont"
            )
    log.info("downloaded %s -> %s", url, dest)
    return {
        "name": dest.name,
        "size": dest.stat().st_size,
        "sha256": digest.hexdigest(),
        "url": url,
    }
