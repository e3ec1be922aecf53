"""Fixtures of the map tests: the coverage data of Nouvelle-Aquitaine, maps, a browser.

The ``store`` and ``sources_dir`` fixtures come from ``tests/conftest.py`` (a store built
from the real files of ../shared/data).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from map_browser import chromium, chromium_available
from sample_posts import write_sample_posts

from zoning.errors import MapAssetsMissingError
from zoning.map.assets import node_modules

REGION = "75"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # These tests need npm's assets and Chromium: say what is missing, loudly.
    missing = []
    try:
        node_modules()
    except MapAssetsMissingError as exc:
        missing.append(str(exc))
    if not chromium_available():
        missing.append("Chromium/chromedriver absent (bash .ci/setup.d/30-browser.sh)")
    if missing:
        # Never a silent skip: every map test fails, saying what to install.
        for item in items:
            if "tests/map" in str(item.fspath):
                item.add_marker(pytest.mark.usefixtures("_map_prerequisites_missing"))
                item.user_properties.append(("missing", "; ".join(missing)))


@pytest.fixture
def _map_prerequisites_missing(request: pytest.FixtureRequest) -> None:
    missing = dict(request.node.user_properties).get("missing", "")
    pytest.fail(f"map test prerequisites missing: {missing}")


@pytest.fixture(scope="session")
def coverage_data(store: Any) -> Any:
    """Nouvelle-Aquitaine, latest decree, display geometry."""
    from zoning.map.data import load_coverage

    return load_coverage(store, REGION)


@pytest.fixture(scope="session")
def maps_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("maps")


@pytest.fixture(scope="session")
def coverage_html(coverage_data: Any, maps_dir: Path) -> Path:
    from zoning.map.coverage import coverage_map
    from zoning.map.render import save_map

    return save_map(coverage_map(coverage_data), maps_dir / "couverture.html")


@pytest.fixture(scope="session")
def posts_csv(store: Any, maps_dir: Path) -> Path:
    """Hand-written sample posts (real places, made-up posts) as a batch result."""
    return write_sample_posts(store, maps_dir / "resultats.csv")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (each test loads its own page)."""
    with chromium() as driver:
        yield driver
