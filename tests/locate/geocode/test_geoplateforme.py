"""Today's geocoder: the Géoplateforme by default, CSV chunks, its rate limit, the old URL.

Against real servers only: the local addok (Redis + gunicorn on loopback) serves the
same ``/search`` and ``/search/csv`` as the Géoplateforme; a loopback HTTP server in
front of it answers HTTP 429 with ``Retry-After`` as the public service does beyond 50
requests/s (our addok has no rate limit: the 429 is this server's, named so); a
loopback HTTP proxy set as ``HTTPS_PROXY`` proves that nothing is sent to the former
BAN API.
"""

from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pandas as pd
import pytest
import requests
from click.testing import CliRunner
from loopback import serve as loopback

from zoning import _http
from zoning.cli import cli
from zoning.errors import GeocoderUnavailableError
from zoning.locate.geocode import Geocoder, PlaceQuery
from zoning.locate.geocode._client import AddokClient
from zoning.locate.geocode.addok import DEFAULT_CHUNK_SIZE
from zoning.locate.geocode.server import LocalGeocoder
from zoning.settings import DEFAULT_ADDOK_URL, get_settings

from .helpers import MakeGeocoder
from .test_batch import hospital_queries

OLD_URL = "https://api-adresse.data.gouv.fr"


class RateLimited:
    """A loopback server in front of the real addok: the first ``limited`` requests get
    HTTP 429 with ``Retry-After: <retry_after>``, the others are forwarded."""

    def __init__(self, upstream: str, limited: int, retry_after: str) -> None:
        self.upstream, self.limited, self.retry_after = upstream, limited, retry_after
        self.log: list[tuple[str, str, int, float]] = []  # method, path, status, time
        self.bodies: set[bytes] = set()  # distinct uploads (a retried one counts once)
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if method == "POST":
                    # the multipart boundary changes at each request: keep the CSV part
                    front.bodies.add(body[body.find(b"_row,q") :].split(b"\r\n--")[0])
                with front.lock:
                    refuse = front.limited > 0
                    front.limited -= 1 if refuse else 0
                if refuse:
                    front.log.append((method, self.path, 429, time.monotonic()))
                    payload = b'{"code": 429, "message": "Too many requests"}'
                    self.send_response(429)
                    self.send_header("Retry-After", front.retry_after)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                up = requests.request(
                    method, front.upstream + self.path, data=body or None,
                    headers={"Content-Type": self.headers.get("Content-Type", "")},
                    timeout=120,
                )  # fmt: skip
                front.log.append((method, self.path, up.status_code, time.monotonic()))
                self.send_response(up.status_code)
                self.send_header("Content-Length", str(len(up.content)))
                self.end_headers()
                self.wfile.write(up.content)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def hospitals(_tables: Geocoder) -> pd.DataFrame:
    table = _tables.finess.table.reset_index()
    table = table[table["street"].fillna("") != ""]
    return table.drop_duplicates(["housenumber", "street", "postcode", "city"])


def same(result: object) -> tuple[object, ...]:
    """A result without its score (2 decimals in addok's CSV answer, 3 in its JSON)."""
    return tuple(getattr(result, k) for k in ("lon", "lat", "precision", "label", "citycode"))


def test_default_geocoder_is_the_geoplateforme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZONING_ADDOK_URL", raising=False)
    assert DEFAULT_ADDOK_URL == "https://data.geopf.fr/geocodage"
    assert get_settings().addok_url == DEFAULT_ADDOK_URL
    from zoning.locate.geocode.privacy import PUBLIC_NOTICE, is_public

    assert is_public(DEFAULT_ADDOK_URL) and is_public("https://data.geopf.fr/geocodage/")
    assert "data.geopf.fr" in PUBLIC_NOTICE and "api-adresse" not in PUBLIC_NOTICE
    for command in (["check", "--help"], ["geocode", "--help"], ["batch", "--help"]):
        out = CliRunner().invoke(cli, command).output
        assert "data.geopf.fr" in out and "api-adresse" not in out, command


def test_old_ban_url_is_refused_naming_the_new_service(
    make_geocoder: MakeGeocoder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No request leaves for the dead host: every HTTP(S) request of this process would go
    through a loopback proxy (HTTPS_PROXY), which counts them."""
    tunnels: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_CONNECT(self) -> None:
            tunnels.append(self.path)
            self.send_error(502)

        def log_message(self, *args: object) -> None:
            pass

    with loopback(Proxy) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        monkeypatch.setenv("https_proxy", proxy)
        for url in (OLD_URL, OLD_URL + "/", "https://API-ADRESSE.data.gouv.fr/search/"):
            geocoder = make_geocoder(url=url)
            with pytest.raises(GeocoderUnavailableError) as info:
                geocoder.geocode_one(address="1 avenue Marc Aubrun", postcode="23000")
            message = str(info.value)
            assert "https://data.geopf.fr/geocodage" in message and "fermée" in message
            outcome = geocoder.geocode_many(
                [PlaceQuery.of(address="1 avenue Marc Aubrun", postcode="23000", city="Guéret")]
            )
            assert outcome.error and "data.geopf.fr" in outcome.error
            assert outcome.results[0].precision == "none"  # no point that looks like an answer
        source = tmp_path / "in.csv"
        source.write_text("adresse;code postal;commune\n1 rue X;23000;Guéret\n", "utf-8")
        env = {
            "ZONING_ADDOK_URL": OLD_URL,
            "ZONING_SOURCES": str(geocoder.sources),
            "ZONING_CACHE": str(tmp_path / "cache"),
        }
        result = CliRunner().invoke(
            cli, ["geocode", str(source), "-o", str(tmp_path / "out.csv")], env=env
        )
    # The command line prints this error and exits with its code (zoning.cli.main).
    assert isinstance(result.exception, GeocoderUnavailableError), result.output
    assert result.exception.exit_code == 6
    assert "data.geopf.fr/geocodage" in str(result.exception)
    assert tunnels == []


def test_batch_goes_in_few_csv_chunks(
    make_geocoder: MakeGeocoder, addok_server: LocalGeocoder, hospitals: pd.DataFrame
) -> None:
    """Thousands of rows: one ``/search/csv`` request per DEFAULT_CHUNK_SIZE rows, and the
    same answers as one ``/search`` per address."""
    front = RateLimited(addok_server.url, limited=0, retry_after="0")
    queries = hospital_queries(hospitals)
    assert len(queries) > DEFAULT_CHUNK_SIZE  # at least two chunks
    with loopback(front.handler()) as url:
        geocoder = make_geocoder(url=url)
        outcome = geocoder.geocode_many(queries)
        posts = [(p, s) for m, p, s, _ in front.log if m == "POST"]
        sample = list(range(0, len(queries), max(1, len(queries) // 40)))
        one_by_one = make_geocoder(url=url, cache_path=Path(str(geocoder.addok.cache.path) + "1"))
        singles = [one_by_one.geocode_one(**vars(queries[i])) for i in sample]
    assert outcome.error is None
    assert 2 <= len(front.bodies) <= -(-len(queries) // DEFAULT_CHUNK_SIZE)
    assert {path for path, _ in posts} == {"/search/csv"}

    assert [same(outcome.results[i]) for i in sample] == [same(r) for r in singles]
    assert sum(r.precision == "address" for r in outcome.results) > 0.7 * len(queries)


def test_429_retry_after_is_obeyed_then_answers(
    make_geocoder: MakeGeocoder, addok_server: LocalGeocoder, hospitals: pd.DataFrame
) -> None:
    """LOOPBACK 429 SERVER: two HTTP 429 with ``Retry-After: 1``, then the real answers."""
    front = RateLimited(addok_server.url, limited=2, retry_after="1")
    queries = hospital_queries(hospitals.iloc[:300])
    with loopback(front.handler()) as url:
        geocoder = make_geocoder(url=url)
        geocoder.addok.client = AddokClient(url, retries=3, backoff=0.01)
        outcome = geocoder.geocode_many(queries)
        single = make_geocoder(url=url, cache_path=Path(str(geocoder.addok.cache.path) + "1"))
        front.limited = 1
        k = next(i for i, r in enumerate(outcome.results) if r.precision == "address")
        found = single.geocode_one(**vars(queries[k]))
    statuses = [s for _, _, s, _ in front.log]
    assert statuses == [429, 429, 200, 429, 200]
    waits = [b[3] - a[3] for a, b in zip(front.log, front.log[1:], strict=False)]
    assert waits[0] >= 0.95 and waits[1] >= 0.95 and waits[3] >= 0.95  # Retry-After, not 0.01
    assert outcome.error is None
    assert sum(r.precision == "address" for r in outcome.results) > 0.7 * len(queries)
    assert same(found) == same(outcome.results[k])


def test_429_without_end_gives_up_in_french(
    make_geocoder: MakeGeocoder, addok_server: LocalGeocoder, hospitals: pd.DataFrame
) -> None:
    """LOOPBACK 429 SERVER: always 429: bounded attempts, a French message, rows kept;
    a ``Retry-After`` beyond the longest wait stops at once and says when to retry."""
    front = RateLimited(addok_server.url, limited=10**6, retry_after="0")
    queries = hospital_queries(hospitals.iloc[:50])
    with loopback(front.handler()) as url:
        geocoder = make_geocoder(url=url)
        geocoder.addok.client = AddokClient(url, retries=2, backoff=0.01)
        outcome = geocoder.geocode_many(queries)
        assert len(front.log) == 3  # first attempt + 2 retries, never more
        assert outcome.error and "trop de requêtes" in outcome.error
        assert "ne répond pas après 3 essais" in outcome.error
        assert len(outcome.results) == len(queries)
        assert all("géocodeur indisponible" in r.reason for r in outcome.results)

        front.retry_after = "3600"
        start = time.monotonic()
        with pytest.raises(GeocoderUnavailableError, match="3600 s"):
            geocoder.geocode_one(address="1 avenue Marc Aubrun", postcode="23000")
        assert time.monotonic() - start < 5


def test_retry_after_forms() -> None:
    assert _http.retry_after("7") == 7.0
    assert _http.retry_after("") is None and _http.retry_after("bientôt") is None
    now = time.time()
    later = formatdate(now + 30, usegmt=True)
    assert 28 <= (_http.retry_after(later, now) or 0) <= 31
    assert _http.retry_after(formatdate(now - 30, usegmt=True), now) == 0.0


def test_one_session_with_the_tools_user_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("User-Agent", ""))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    monkeypatch.setenv("ZONING_HTTP_RETRIES", "abc")
    with pytest.raises(Exception, match="ZONING_HTTP_RETRIES"):
        get_settings()
    monkeypatch.setenv("ZONING_HTTP_RETRIES", "1")
    monkeypatch.setenv("ZONING_HTTP_TIMEOUT", "5")
    with loopback(Echo) as url:
        AddokClient(url).search("Guéret")
        _http.request("GET", url, what="test")
    assert len(seen) == 2 and all(s.startswith("zoning/") for s in seen)
    assert _http.session() is _http.session()
