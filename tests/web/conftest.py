"""Fixtures of the web tests: the real application on loopback, real addok, real Chromium.

The server is started as a user starts it (``zoning -v serve``, in a subprocess, on a
free loopback port) over the real zoning store, with the real addok of the geocoding
tests as its geocoder; its log (level INFO) is kept in a file that tests read.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS / "map"))
sys.path.insert(0, str(TESTS / "locate"))  # the name pytest gives tests/locate/geocode

from geocode.conftest import addok_documents, addok_server, geo_sources  # noqa: E402

__all__ = ["addok_documents", "addok_server", "geo_sources"]

REPO = TESTS.parent
ZONING = Path(sys.executable).parent / "zoning"


@dataclass
class WebServer:
    """A running ``zoning serve``."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        """Everything the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    env: dict[str, str], workdir: Path, args: tuple[str, ...] = ()
) -> Iterator[WebServer]:
    """``zoning -v serve`` on a free loopback port with ``env`` (and more ``args``, e.g.
    ``--workers 1``), stopped on exit."""
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ZONING), "-v", "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "ZONING_CACHE": str(workdir / "cache"),
                "TMPDIR": str(workdir),
                **env,
            },
            cwd=REPO,
        )
    url = f"http://127.0.0.1:{port}"
    server = WebServer(url, log, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"zoning serve stopped: {server.log_text()[-2000:]}")
            try:
                if requests.get(f"{url}/health", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"zoning serve did not answer: {server.log_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def web_server(
    store_path: Path,
    addok_server: object,
    geo_sources: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebServer]:
    """``zoning -v serve`` on a free loopback port, geocoding with the session's addok."""
    env = {
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_ADDOK_URL": str(addok_server.url),  # type: ignore[attr-defined]
    }
    with running_server(env, tmp_path_factory.mktemp("web")) as server:
        yield server


#: Every host but the server's own loopback address resolves to nothing.
BLOCK_OTHER_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the web tests, other hosts blocked, network logged."""
    from map_browser import chromium, chromium_available

    if not chromium_available():
        pytest.fail("Chromium and chromedriver are needed (.ci/setup.d/30-browser.sh)")
    with chromium(
        1280, 1000, extra_flags=[BLOCK_OTHER_HOSTS, "--lang=fr-FR"], network_log=True
    ) as driver:
        yield driver
