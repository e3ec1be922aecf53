"""``zoning data fetch`` against a real HTTP server on loopback serving the shared files."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoning._http import DownloadError
from zoning.sources.fetch import fetch_sources
from zoning.sources.manifest import load_manifest


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def mirror(fixture_sources: Path) -> Iterator[str]:
    """The fixture set served on loopback."""
    yield from _serve(fixture_sources)


@pytest.fixture(scope="module")
def real_mirror(sources_dir: Path) -> Iterator[str]:
    """The real data folder served on loopback (every file of the manifest)."""
    yield from _serve(sources_dir)


def test_fetch_downloads_and_records_sha256(
    mirror: str, tmp_path: Path, fixture_sources: Path
) -> None:
    manifest = load_manifest()
    records = fetch_sources(
        manifest, tmp_path, only=["zonage_medecins", "laposte"], mirror=mirror, progress=False
    )
    assert {r["name"] for r in records} == {
        "zonmed_ZonageMed_national.csv",
        "laposte_hexasmal_2022-02.csv",
    }
    for record in records:
        original = next(fixture_sources.rglob(record["name"]))
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


def test_fetched_folder_holds_every_file_build_reads(real_mirror: str, tmp_path: Path) -> None:
    """What fetch writes is what build reads: same names, same layout."""
    manifest = load_manifest()
    fetch_sources(manifest, tmp_path, mirror=real_mirror, progress=False)
    for source in manifest.values():
        assert source.is_present(tmp_path), source.id
