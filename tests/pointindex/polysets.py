"""Polygon sets and point samples for testing and benchmarking point assignment.

These read the raw source files directly (the 2018 commune GeoJSON of every
département, the Occitanie QPV perimeters), so the fast path can be checked and
measured on real polygons without a built store. The store's own COG 2022
polygons come from :meth:`zoning.store.ZoningStore.communes_gdf`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import geopandas as gpd

#: Départements of Nouvelle-Aquitaine (région 75).
NA_DEPARTEMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
COMMUNES_DIR = "communes_france_geojson_2018"
QPV_OCCITANIE = "qpv_perimeters/hackaviz2021_qpv2015_occitanie.geojson"


def commune_files(sources: Path, departements: Iterable[str] | None = None) -> list[Path]:
    """The ``communes-<NN>-<nom>.geojson`` files of ``departements`` (all if None).

    Raises
    ------
    FileNotFoundError
        If the folder or a requested département is missing.
    """
    folder = Path(sources) / COMMUNES_DIR
    files = sorted(folder.glob("communes-*.geojson"))
    if not files:
        raise FileNotFoundError(f"no communes-*.geojson in {folder}")
    if departements is None:
        return files
    by_dep = {f.name.split("-")[1]: f for f in files}
    wanted = list(departements)
    missing = [d for d in wanted if d not in by_dep]
    if missing:
        raise FileNotFoundError(
            f"{folder}: no commune file for département(s) {', '.join(missing)}"
        )
    return [by_dep[d] for d in wanted]


def read_communes(sources: Path, departements: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Commune polygons (COG 2018) as a GeoDataFrame ``code, nom, geometry``, sorted by code."""
    import geopandas as gpd
    import pandas as pd

    frames = [gpd.read_file(f) for f in commune_files(sources, departements)]
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    return gdf.sort_values("code", ignore_index=True)


def read_qpv_occitanie(sources: Path) -> gpd.GeoDataFrame:
    """QPV 2015 perimeters of Occitanie, repaired with ``make_valid`` (32 are invalid)."""
    import geopandas as gpd

    gdf = gpd.read_file(Path(sources) / QPV_OCCITANIE)
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf.sort_values("code_qp", ignore_index=True)


def random_points_in_bboxes(
    bounds: npt.NDArray[np.float64], n: int, seed: int = 0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Uniform points in polygon bounding boxes picked with probability ~ box area.

    This puts nearly all points on land (unlike a uniform draw over the bounding
    box of France and its overseas départements, mostly sea), which is the hard
    case for the fast path.

    Parameters
    ----------
    bounds : numpy.ndarray
        ``(n_polys, 4)`` array of minx, miny, maxx, maxy.
    n : int
        Number of points.
    seed : int
        Random seed.
    """
    rng = np.random.default_rng(seed)
    ok = np.all(np.isfinite(bounds), axis=1)
    b = bounds[ok]
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    pick = rng.choice(b.shape[0], size=n, p=area / area.sum())
    lon = b[pick, 0] + rng.random(n) * (b[pick, 2] - b[pick, 0])
    lat = b[pick, 1] + rng.random(n) * (b[pick, 3] - b[pick, 1])
    return lon, lat
