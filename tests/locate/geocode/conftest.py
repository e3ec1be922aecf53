"""Fixtures of the geocoding tests: the real data and a real addok + Redis on loopback.

The geocoder is built once per session from the shared source files (every commune of
La Poste's base, the FINESS hospitals' streets) and served by gunicorn on 127.0.0.1.
Nothing is skipped: without redis-server the tests fail and say how to install it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoning.locate.geocode.pipeline import Geocoder
from zoning.locate.geocode.server import LocalGeocoder

from .helpers import MakeGeocoder


def geocode_sources() -> Path:
    """Shared data: ZONING_SOURCES_TEST, else ``../shared/data`` beside the repository."""
    default = Path(__file__).parents[3] / ".." / "shared" / "data"
    return Path(os.environ.get("ZONING_SOURCES_TEST") or default).resolve()


@pytest.fixture(scope="session")
def geo_sources(sources_dir: Path) -> Path:
    """Folder of the real source files (``sources_dir``: skipped, or failed in CI, if absent)."""
    path = geocode_sources()
    if not (path / "cog_communes" / "laposte_hexasmal_2022-02.csv").is_file():
        pytest.fail(f"real source data not found at {path} (set ZONING_SOURCES_TEST)")
    return path


@pytest.fixture(scope="session")
def addok_documents(geo_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NDJSON documents built from the real La Poste and FINESS files."""
    from zoning.locate.geocode.documents import build_documents

    out = tmp_path_factory.mktemp("addok") / "documents.ndjson"
    build_documents(geo_sources, out)
    return out


@pytest.fixture(scope="session")
def addok_server(
    addok_documents: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalGeocoder]:
    """A real addok (gunicorn, 2 workers) over a private Redis, on 127.0.0.1."""
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is not installed: the geocoding tests need a real Redis "
            "(Debian: apt-get install redis-server; CI: .ci/setup.d/20-geocoder.sh)"
        )
    workdir = tmp_path_factory.mktemp("addok-run")
    server = LocalGeocoder(addok_documents, workdir=workdir, workers=2)
    with server:
        yield server


@pytest.fixture(scope="session")
def _tables(geo_sources: Path) -> Geocoder:
    """Commune and FINESS tables, loaded once and shared by every test's geocoder."""
    shared = Geocoder(url="http://127.0.0.1:9", sources=geo_sources, cache_path=False)
    _ = shared.communes, shared.finess
    return shared


@pytest.fixture
def make_geocoder(
    addok_server: LocalGeocoder, _tables: Geocoder, geo_sources: Path, tmp_path: Path
) -> MakeGeocoder:
    """Factory: a :class:`Geocoder` on the session's addok, with its own disk cache."""

    def make(cache_path: Path | None = None, url: str | None = None, **kwargs: object) -> Geocoder:
        geocoder = Geocoder(
            url=url or addok_server.url,
            sources=geo_sources,
            cache_path=cache_path or tmp_path / "answers.sqlite",
            **kwargs,  # type: ignore[arg-type]
        )
        geocoder.__dict__["communes"] = _tables.communes
        geocoder.__dict__["finess"] = _tables.finess
        return geocoder

    return make


@pytest.fixture
def geocoder(make_geocoder: MakeGeocoder) -> Geocoder:
    """A geocoder on the session's addok with a fresh cache."""
    result: Geocoder = make_geocoder()
    return result
