"""``zoning data fetch`` against a real HTTP server on loopback serving the shared files."""

from __future__ import annotations

import hashlib
import http.server
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import serve, serve_folder

from zoning import _http
from zoning.errors import DownloadError
from zoning.sources.fetch import fetch_sources
from zoning.sources.manifest import load_manifest


@pytest.fixture(scope="module")
def mirror(sources_dir: Path) -> Iterator[str]:
    with serve_folder(sources_dir) as url:
        yield url


def test_fetch_downloads_and_records_sha256(mirror: str, tmp_path: Path, sources_dir: Path) -> None:
    manifest = load_manifest()
    records = fetch_sources(
        manifest, tmp_path, only=["zonage_medecins", "laposte"], mirror=mirror, progress=False
    )
    assert {r["name"] for r in records} == {
        "zonmed_ZonageMed_national.csv",
        "laposte_hexasmal_2022-02.csv",
    }
    for record in records:
        original = next(sources_dir.rglob(record["name"]))
        assert record["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
        assert record["size"] == original.stat().st_size
    assert (tmp_path / "fetched.json").is_file()
    # a second run keeps what is there
    assert fetch_sources(manifest, tmp_path, only=["laposte"], mirror=mirror, progress=False) == []


def test_fetch_of_a_missing_file_is_a_clear_error(mirror: str, tmp_path: Path) -> None:
    manifest = load_manifest()
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch_sources(
            manifest, tmp_path, only=["qpv_polygons"], mirror=mirror + "/nothing", progress=False
        )
    assert not list(tmp_path.rglob("*.part"))


def test_fetched_folder_holds_every_file_build_reads(mirror: str, tmp_path: Path) -> None:
    """What fetch writes is what build reads: same names, same layout."""
    manifest = load_manifest()
    fetch_sources(manifest, tmp_path, mirror=mirror, progress=False)
    for source in manifest.values():
        assert source.is_present(tmp_path), source.id


def test_download_is_retried_on_503_with_the_user_agent(
    tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Downloads go through the one HTTP session: User-Agent, retries from the settings."""
    monkeypatch.setenv("ZONING_HTTP_RETRIES", "1")
    original = next(sources_dir.rglob("laposte_hexasmal_2022-02.csv"))
    agents: list[str] = []

    class Flaky(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(sources_dir), **kwargs)

        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            if len(agents) == 1:
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    with serve(Flaky) as url:
        records = fetch_sources(
            load_manifest(), tmp_path, only=["laposte"], mirror=url, progress=False
        )
    assert [r["sha256"] for r in records] == [hashlib.sha256(original.read_bytes()).hexdigest()]
    assert agents == [_http.USER_AGENT] * 2
