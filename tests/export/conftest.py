"""Fixtures of the export tests: a real batch result and the GeoPackage ``zoning export``
writes from it (helpers in ``export_helpers.py``).

The ``store_path`` and ``sources_dir`` fixtures come from ``tests/conftest.py`` (a store
built from the real files of ../shared/data, or ZONING_TEST_STORE).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from export_helpers import NA, OLD, REPO, zoning


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("export")


@pytest.fixture(scope="session")
def batch_result(store_path: Path, sources_dir: Path, work: Path) -> Path:
    """``zoning batch`` on the example candidates (made-up people, real places), as GeoJSON."""
    out = work / "resultats.geojson"
    result = zoning(
        store_path,
        "batch",
        str(REPO / "data" / "examples" / "candidats_exemple.csv"),
        "-p",
        "na-mg-2023",
        "-o",
        str(out),
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def gpkg(store_path: Path, batch_result: Path, work: Path) -> Path:
    """The GeoPackage of Nouvelle-Aquitaine with the batch's posts."""
    out = work / "couches.gpkg"
    result = zoning(
        store_path,
        "export",
        str(out),
        "--region",
        NA,
        "--arrete",
        OLD,
        "--postes",
        str(batch_result),
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    assert "Écrit" in result.stdout
    return out
