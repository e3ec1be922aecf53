"""Shared fixtures: the real source files, the fixture set, and a store built from each.

Two data sets:

- the **real data** (``../shared/data`` beside the repository, or ``ZONING_SOURCES_TEST``):
  fixtures ``sources_dir``, ``store_path``, ``store``. A test that uses one of them, even
  through another fixture, is marked ``shared`` automatically (:data:`SHARED_FIXTURES`).
- the **fixture set** cut from it (``tests/data/sources``, see ``tests/data/ORIGIN.md``):
  fixtures ``fixture_sources``, ``fixture_store_path``, ``fixture_store``. Unit tests
  use these and run anywhere: ``pytest -m "not shared"``.

Without the real data, ``shared`` tests are skipped with a reason and the run ends with a
warning saying how many were not run -- except in CI (``CI`` set), where the real data
missing fails the run (never a green CI without its real-data tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from zoning.store import ZoningStore

REPO = Path(__file__).resolve().parent.parent
#: The fixture set (excerpt of the real sources, committed).
FIXTURE_SOURCES = REPO / "tests" / "data" / "sources"
#: Fixtures that read the real data folder: a test needing one (directly or through other
#: fixtures) is marked ``shared``. Subfolders' fixtures that read real data request it.
SHARED_FIXTURES = frozenset({"sources_dir"})
_SHARED_COUNT = pytest.StashKey[int]()


def shared_sources() -> Path:
    """The real data folder: ZONING_SOURCES_TEST, else ../shared/data beside the repo."""
    return Path(os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data").resolve()


def shared_available() -> bool:
    """Whether the real data folder is there."""
    return (shared_sources() / "SOURCES.md").is_file()


def require_shared(path: Path) -> None:
    """Stop a test that needs the real data, absent at ``path``: skip, or fail in CI.

    Called by the fixtures that read the real data, so that a test reaching them by any
    way (``request.getfixturevalue`` too) is skipped with the reason, never run half.
    """
    message = f"real source data not found at {path} (set ZONING_SOURCES_TEST)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(f"données réelles absentes ({path})")


def in_ci() -> bool:
    """Whether the tests run in CI (``CI`` set to a true value, as CI services do)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects: count every real-data test
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shared = 0
    for item in items:
        if SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.shared)
            shared += 1
    config.stash[_SHARED_COUNT] = shared
    # Without the real data, the fixtures of SHARED_FIXTURES skip (or, in CI, fail) the tests
    # that reach them: see require_shared.


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if shared_available():
        return
    verdict = "ÉCHEC en CI" if in_ci() else "tests unitaires seuls"
    terminalreporter.write_sep(
        "!",
        f"données réelles absentes ({shared_sources()}) : les {config.stash.get(_SHARED_COUNT, 0)} "
        f"tests sur les données réelles (marque shared) n'ont PAS été lancés — {verdict} ; "
        "ZONING_SOURCES_TEST=… pour tout lancer",
        yellow=True,
        bold=True,
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # In CI a run without the real data is a failure, even when every selected test passed
    # (e.g. with -m "not shared").
    if in_ci() and not shared_available() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def fixture_sources() -> Path:
    """The fixture set: real source files cut to Creuse, Haute-Vienne and Toulouse."""
    return FIXTURE_SOURCES


def _build(sources: Path, factory: pytest.TempPathFactory, name: str) -> Path:
    from zoning.store.build import build_store

    out = factory.mktemp(name) / "store"
    # The fixture set is an excerpt: its files differ from the manifest's pins by design,
    # and the build records them as accepted changes (the real set is checked as pinned).
    build_store(sources, out, progress=False, accept_changed=sources == FIXTURE_SOURCES)
    return out


@pytest.fixture(scope="session")
def fixture_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the fixture set for this session (a few seconds)."""
    return _build(FIXTURE_SOURCES, tmp_path_factory, "fixture-store")


@pytest.fixture(scope="session")
def fixture_store(fixture_store_path: Path) -> ZoningStore:
    """The fixture-set store, opened."""
    return ZoningStore.open(fixture_store_path)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """Folder of the real source files (absent: the test is skipped, or fails in CI)."""
    path = shared_sources()
    if not (path / "SOURCES.md").is_file():
        require_shared(path)
    return path


@pytest.fixture(scope="session")
def store_path(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the real files for this session (ZONING_TEST_STORE reuses one)."""
    reuse = os.environ.get("ZONING_TEST_STORE")
    if reuse:
        return Path(reuse)
    return _build(sources_dir, tmp_path_factory, "store")


@pytest.fixture(scope="session")
def store(store_path: Path) -> ZoningStore:
    """The session's zoning store, opened."""
    return ZoningStore.open(store_path)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the user's cache, nor reads the user's rules folder."""
    monkeypatch.setenv("ZONING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ZONING_RULES", str(tmp_path / "rules"))
    monkeypatch.delenv("ZONING_OSRM_URL", raising=False)
