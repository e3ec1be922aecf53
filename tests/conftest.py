"""Shared fixtures: the real source files and a zoning store built from them once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zoning.store import ZoningStore

REPO = Path(__file__).resolve().parent.parent


def shared_sources() -> Path:
    """The real data folder: ZONING_SOURCES_TEST, else ../shared/data beside the repo."""
    return Path(os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """Folder of the real source files; the suite fails (never skips) without it."""
    path = shared_sources()
    if not (path / "SOURCES.md").is_file():
        pytest.fail(f"real source data not found at {path} (set ZONING_SOURCES_TEST)")
    return path


@pytest.fixture(scope="session")
def store_path(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the real files for this session (ZONING_TEST_STORE reuses one)."""
    reuse = os.environ.get("ZONING_TEST_STORE")
    if reuse:
        return Path(reuse)
    from zoning.store.build import build_store

    out = tmp_path_factory.mktemp("store") / "store"
    build_store(sources_dir, out, progress=False)
    return out


@pytest.fixture(scope="session")
def store(store_path: Path) -> ZoningStore:
    """The session's zoning store, opened."""
    return ZoningStore.open(store_path)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the user's cache."""
    monkeypatch.setenv("ZONING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ZONING_OSRM_URL", raising=False)
