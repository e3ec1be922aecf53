"""Fixtures of the batch tests: FINESS lookups from the real hospital extract or its excerpt."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.locate.finess import FinessLocator, finess_locator_from_directory


def _locator(sources: Path) -> FinessLocator:
    from zoning.sources.finess import FinessDirectory
    from zoning.sources.finess_files import read_eurostat_hospitals
    from zoning.sources.manifest import load_manifest

    source = load_manifest()["finess_hospitals"]
    frame = read_eurostat_hospitals(source.path(sources), source)
    return finess_locator_from_directory(FinessDirectory([frame]))


@pytest.fixture(scope="session")
def finess_locator(sources_dir: Path) -> FinessLocator:
    """FINESS ET -> point, from the real Eurostat hospital extract of the shared data."""
    return _locator(sources_dir)


@pytest.fixture(scope="session")
def fixture_finess_locator(fixture_sources: Path) -> FinessLocator:
    """FINESS ET -> point, from the fixture set's hospitals (Creuse, Haute-Vienne)."""
    return _locator(fixture_sources)
