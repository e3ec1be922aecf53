"""Fixtures of the fast point-assignment tests: real polygon sets and their indexes.

Polygons come from the real source files (``sources_dir`` of tests/conftest.py):
the 2018 commune polygons of Nouvelle-Aquitaine, of five départements holding
real enclaves (communes with holes filled by another commune), and the Occitanie
QPV perimeters. Each index is built once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from tests.pointindex import polysets
from zoning import pointindex


@dataclass
class PolySet:
    """A real polygon set, its fast index and a tree for the exact path."""

    name: str
    codes: np.ndarray
    polys: np.ndarray
    index: pointindex.PointIndex
    tree: shapely.STRtree

    def exact(self, lon: Any, lat: Any) -> np.ndarray:
        """The reference answer."""
        return pointindex.assign_exact(self.polys, lon, lat, tree=self.tree)


def _polyset(name: str, codes: Any, geoms: Any) -> PolySet:
    polys = np.asarray(geoms, dtype=object)
    return PolySet(
        name, np.asarray(codes), polys, pointindex.build_index(polys), shapely.STRtree(polys)
    )


#: Départements with real enclaves: 82 (Castelsarrasin, Lauzerte <-> Bouloc-en-Quercy,
#: Vazerac), 02 + 60 (Coyolles' three holes filled by Oise communes), 71 + 39
#: (Beauvernois' two holes filled by Chêne-Sec, across a département border).
ENCLAVE_DEPARTEMENTS = ("82", "02", "60", "71", "39")


@pytest.fixture(scope="session")
def na(sources_dir: Path) -> PolySet:
    """The 4 405 commune polygons (COG 2018) of the 12 NA départements."""
    gdf = polysets.read_communes(sources_dir, polysets.NA_DEPARTEMENTS)
    return _polyset("na", gdf["code"], gdf.geometry.values)


@pytest.fixture(scope="session")
def enclaves(sources_dir: Path) -> PolySet:
    """Communes of départements with real enclaves."""
    gdf = polysets.read_communes(sources_dir, ENCLAVE_DEPARTEMENTS)
    return _polyset("enclaves", gdf["code"], gdf.geometry.values)


@pytest.fixture(scope="session")
def qpv(sources_dir: Path) -> PolySet:
    """The 105 Occitanie QPV perimeters, made valid."""
    gdf = polysets.read_qpv_occitanie(sources_dir)
    return _polyset("qpv", gdf["code_qp"], gdf.geometry.values)


@pytest.fixture(scope="session")
def store_na(store: Any) -> PolySet:
    """The store's COG 2022 communes of Nouvelle-Aquitaine (dissolved polygons)."""
    gdf = store.communes_gdf(region="75")
    return _polyset("store_na", gdf["code"], gdf.geometry.values)
