"""A real addok geocoder on loopback: Redis on a private unix socket, addok under gunicorn.

Used by the tests, the benchmark and ``zoning geocoder serve`` for offline work. Nothing
here touches a system Redis: the Redis server listens on a unix socket inside a private
temporary folder and on no TCP port; the HTTP server binds 127.0.0.1 unless told
otherwise.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from zoning import _http
from zoning.errors import GeocoderError

log = logging.getLogger(__name__)

_CONFIG = """\
# addok configuration written by zoning (zoning.locate.geocode.server); do not edit.
from addok import hooks as _hooks
import zoning.locate.geocode._addok_plugin as _zoning_csv

REDIS = {{
    "host": "localhost",
    "port": 6379,
    "unix_socket_path": {socket!r},
    "indexes": {{"db": 0}},
    "documents": {{"db": 1}},
}}
LOG_DIR = {log_dir!r}
BATCH_WORKERS = {batch_workers}
FIELDS = [
    {{"key": "name", "boost": 4, "null": False}},
    {{"key": "street"}},
    {{"key": "postcode",
      "boost": lambda doc: 1.2 if doc.get("type") == "municipality" else 1}},
    {{"key": "city"}},
    {{"key": "housenumbers", "type": "housenumbers"}},
    {{"key": "context"}},
]
FILTERS = ["type", "postcode", "citycode"]
# Batch geocoding never autocompletes: skipping edge n-grams halves the indexing time.
INDEX_EDGE_NGRAMS = False
QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
    "addok_france.remove_leading_zeros",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_ngram_distance",
    "addok.helpers.results.score_by_geo_distance",
    "addok.helpers.results.adjust_scores",
]
CSV_EXTRA_FIELDS = ["id", "type", "name", "postcode", "city", "citycode"]
# addok-csv 1.1.0 breaks on per-row filters with addok >= 1.3.1: serve fixed routes.
_hooks.block("csv", reason="replaced by zoning's CSV routes (per-row filters fixed)")
_hooks.register(_zoning_csv, "zoning_csv")
"""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another program already listens on (its answers are not ours)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise GeocoderError(
                f"le port {port} de {host} est déjà utilisé par un autre programme ({exc}) : "
                "choisissez-en un autre avec --port"
            ) from exc


def _require(executable: str, hint: str) -> str:
    found = shutil.which(executable)
    if not found:
        raise GeocoderError(f"{executable} introuvable : {hint}")
    return found


class LocalGeocoder:
    """Redis + addok (gunicorn) on loopback, with the given documents loaded.

    Parameters
    ----------
    documents
        NDJSON file from :func:`zoning.locate.geocode.documents.build_documents`, or
        ``None`` to serve an index already loaded in ``workdir``.
    workdir
        Folder for the Redis socket, its data and the addok config (default: a new
        temporary folder, removed on :meth:`stop`).
    host, port
        Where the HTTP API listens (127.0.0.1, a free port by default).
    workers
        gunicorn worker processes (default: number of CPUs, at least 2).

    Examples
    --------
    >>> with LocalGeocoder(Path("docs.ndjson")) as geocoder:   # doctest: +SKIP
    ...     requests.get(geocoder.url + "/search/", params={"q": "Guéret"})
    """

    def __init__(
        self,
        documents: Path | None,
        workdir: Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        workers: int | None = None,
    ) -> None:
        self.documents = Path(documents) if documents else None
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="zoning-addok-"))
        self.host = host
        self.port = port or free_port(host)
        self.workers = workers or max(2, os.cpu_count() or 2)
        self.redis: subprocess.Popen[bytes] | None = None
        self.http: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the HTTP API (what ``ZONING_ADDOK_URL`` should be)."""
        return f"http://{self.host}:{self.port}"

    @property
    def socket_path(self) -> Path:
        """Unix socket of the private Redis."""
        return self.workdir / "redis.sock"

    @property
    def config_path(self) -> Path:
        """The addok config module written for this instance."""
        return self.workdir / "addok.conf"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["ADDOK_CONFIG_MODULE"] = str(self.config_path)
        return env

    def write_config(self) -> Path:
        """Write the addok config module (Redis socket, fields, filters, French processors)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(
            _CONFIG.format(
                socket=str(self.socket_path),
                log_dir=str(self.workdir),
                batch_workers=max(1, (os.cpu_count() or 2)),
            ),
            encoding="utf-8",
        )
        return self.config_path

    def start_redis(self) -> None:
        """Start a private redis-server on a unix socket, no TCP port, nothing saved."""
        exe = _require(
            "redis-server",
            "installez-le (Debian : apt-get install redis-server, voir .ci/setup.d/20-geocoder.sh)",
        )
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.redis = subprocess.Popen(
            [
                exe, "--port", "0", "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700", "--dir", str(self.workdir),
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "redis.log").open("ab"),
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self.socket_path.exists():
            if self.redis.poll() is not None or time.monotonic() > deadline:
                raise GeocoderError(
                    f"redis-server n'a pas démarré (voir {self.workdir / 'redis.log'})"
                )
            time.sleep(0.05)

    def _addok(self, *args: str) -> None:
        cmd = [sys.executable, "-c", "from addok.bin import main; main()", *args]
        done = subprocess.run(cmd, env=self._env(), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise GeocoderError(f"addok {' '.join(args)} a échoué : {done.stderr.strip()[-2000:]}")
        log.debug("addok %s: %s", " ".join(args), done.stdout.strip()[-500:])

    def load(self, documents: Path) -> None:
        """Index NDJSON documents into the private Redis (``addok batch``)."""
        t0 = time.perf_counter()
        self._addok("batch", str(documents))
        log.info("indexed %s in %.1f s", documents, time.perf_counter() - t0)

    def start_http(self, timeout: float = 60) -> None:
        """Serve ``addok.http.wsgi`` under gunicorn and wait until it answers."""
        check_port_free(self.host, self.port)
        cmd = [
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
            "--bind", f"{self.host}:{self.port}", "--timeout", "300",
            "--graceful-timeout", "5", "--log-level", "warning",
            "addok.http.wsgi:application",
        ]  # fmt: skip
        self.http = subprocess.Popen(
            cmd,
            env=self._env(),
            stdout=(self.workdir / "http.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.http.poll() is not None:
                raise GeocoderError(f"addok (gunicorn) s'est arrêté : voir {self.workdir}/http.log")
            try:
                # No retry: this loop is the retry, bounded by ``timeout``.
                answered = _http.request(
                    "GET",
                    self.url + "/search/",
                    what=f"addok sur {self.url}",
                    timeout=2,
                    retries=0,
                    error=GeocoderError,
                    params={"q": "paris"},
                )
                if answered.ok and self.http.poll() is None:  # our gunicorn, still alive
                    return
            except GeocoderError:
                pass
            if time.monotonic() > deadline:
                raise GeocoderError(f"addok ne répond pas sur {self.url} après {timeout:.0f} s")
            time.sleep(0.2)

    def stop_http(self) -> None:
        """Stop the HTTP server (the index stays in Redis): the geocoder is then down."""
        _stop(self.http)
        self.http = None

    def start(self) -> LocalGeocoder:
        """Write the config, start Redis, load the documents, serve HTTP."""
        check_port_free(self.host, self.port)  # before the slow part
        self.write_config()
        self.start_redis()
        if self.documents is not None:
            self.load(self.documents)
        self.start_http()
        log.info("addok serving on %s (workers=%s)", self.url, self.workers)
        return self

    def stop(self) -> None:
        """Stop both servers and remove the temporary folder if it was ours."""
        self.stop_http()
        _stop(self.redis)
        self.redis = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalGeocoder:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a server we started (its own process group: master and workers)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
