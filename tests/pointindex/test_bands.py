"""The border-leaf test on edge bands (zoning.pointindex.bands) answers like GEOS.

Wherever the bands call their answer sure, it must be GEOS's (``intersects`` on the
prepared polygon); what they cannot prove goes to GEOS. Real polygons (the 2018
communes of Nouvelle-Aquitaine, the store's communes) and hand-written shapes for the
cases real data rarely holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from tests.pointindex import polysets
from tests.pointindex.test_fastpip import boundary_points
from zoning import pointindex
from zoning.pointindex.bands import EdgeBands, build_bands

PolySet = Any


def _agree_where_sure(
    bands: EdgeBands, polys: np.ndarray, poly: np.ndarray, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Assert the sure answers are GEOS's; return which were unsure."""
    covers, unsure = bands.test(poly, x, y)
    geos = shapely.intersects_xy(polys[poly], x, y)
    wrong = np.flatnonzero(~unsure & (covers != geos))
    assert wrong.size == 0, (
        f"{wrong.size} sure answers differ from GEOS, first: polygon {poly[wrong[0]]} "
        f"point ({x[wrong[0]]!r}, {y[wrong[0]]!r}) bands {covers[wrong[0]]}"
    )
    return unsure


def test_real_communes_on_and_near_their_boundaries(na: PolySet) -> None:
    """Vertices, one ulp off them, edge midpoints and points 1e-7..1e-13 degree off an
    edge, each tested against the commune whose edge it is and its neighbours: every
    sure answer is GEOS's, and every point on a vertex is left to GEOS."""
    polys = na.polys
    bands = build_bands(polys, shapely.is_valid(polys))
    lon, lat = boundary_points(polys, 20_000, seed=4)
    # The commune of each point's edge and whatever else covers it or is near.
    tree = shapely.STRtree(polys)
    pi, gi = tree.query(shapely.buffer(shapely.points(lon, lat), 1e-3))
    unsure = _agree_where_sure(bands, polys, gi.astype(np.int64), lon[pi], lat[pi])
    on_vertex = pi < lon.size // 10  # the first tenth: exact vertices
    assert unsure[on_vertex & shapely.intersects_xy(polys[gi], lon[pi], lat[pi])].all()
    # Points merely near an edge are mostly settled without GEOS.
    assert unsure[~on_vertex].mean() < 0.5


def test_random_points_rarely_need_geos(na: PolySet) -> None:
    polys = na.polys
    bands = build_bands(polys, shapely.is_valid(polys))
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(polys), 200_000, seed=8)
    tree = shapely.STRtree(polys)
    pi, gi = tree.query(shapely.points(lon, lat))  # bounding boxes: in and out
    unsure = _agree_where_sure(bands, polys, gi.astype(np.int64), lon[pi], lat[pi])
    assert unsure.mean() < 1e-3


def test_what_is_left_to_geos() -> None:
    """Hand-written shapes (not real data): a square with a hole, a multipolygon, a
    bow-tie (invalid), a collection, an empty polygon and ``None``."""
    holed = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]]
    )
    multi = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(12, 0, 13, 1)])
    slanted = shapely.Polygon([(20, 0), (23, 1), (21, 3)])
    polys = np.array(
        [
            holed,
            multi,
            slanted,
            shapely.Polygon([(30, 0), (31, 1), (31, 0), (30, 1)]),  # bow-tie
            shapely.GeometryCollection([shapely.box(40, 0, 41, 1)]),
            shapely.Polygon(),
            None,
        ],
        dtype=object,
    )
    bands = build_bands(polys, shapely.is_valid(polys), per_band=2)
    assert (bands.first[3:] == -1).all()  # GEOS decides for these
    assert (bands.first[:3] >= 0).all()
    cases = [
        # (polygon, x, y, covers, unsure)
        (0, 0.5, 0.5, True, False),
        (0, 2.0, 2.5, False, False),  # in the hole
        (0, 3.5, 2.0, True, False),
        (0, 5.0, 2.0, False, False),
        (0, -1.0, 2.0, False, False),  # left of it: the ray crosses it twice
        (0, 2.0, 4.0, None, True),  # on the top edge (horizontal)
        (0, 2.0, 3.0, None, True),  # on the hole's top edge
        (0, -1.0, 1.0, None, True),  # level with the hole's bottom edge
        (1, 10.5, 0.5, True, False),
        (1, 11.5, 0.5, False, False),  # between the parts
        (1, 12.5, 0.5, True, False),
        (2, 21.5, 1.5, True, False),
        (2, 23.0, 1.0, None, True),  # a vertex
        (2, 21.5, 1.0, None, True),  # level with it
        (2, 21.8, 0.8, True, False),
        (2, 21.5, 0.5, None, True),  # on an edge
        (2, 22.0, 0.0, None, True),  # level with the lowest vertex
        (3, 30.5, 0.25, None, True),
        (4, 40.5, 0.5, None, True),
        (5, 50.0, 0.0, None, True),
        (6, 60.0, 0.0, None, True),
    ]
    poly = np.array([c[0] for c in cases], dtype=np.int64)
    x = np.array([c[1] for c in cases], dtype=float)
    y = np.array([c[2] for c in cases], dtype=float)
    covers, unsure = bands.test(poly, x, y)
    assert list(unsure) == [c[4] for c in cases]
    sure = ~unsure
    assert list(covers[sure]) == [c[3] for c in cases if not c[4]]


def test_near_an_edge_the_sign_is_proven_or_left_to_geos() -> None:
    """Points a few ulps from a slanted edge (hand-written triangle): the determinant's
    sign is trusted only when proven, and then it is GEOS's."""
    tri = shapely.Polygon([(0.1, 0.2), (1.3, 0.7), (0.4, 1.9)])
    polys = np.array([tri], dtype=object)
    bands = build_bands(polys, shapely.is_valid(polys))
    t = np.linspace(0.01, 0.99, 2001)
    ex, ey = 0.1 + t * 1.2, 0.2 + t * 0.5  # on the edge, rounded
    x = np.concatenate([ex, np.nextafter(ex, 2), np.nextafter(ex, -2), ex + 1e-15, ex - 1e-15])
    y = np.tile(ey, 5)
    unsure = _agree_where_sure(bands, polys, np.zeros(x.size, dtype=np.int64), x, y)
    assert unsure.any() and not unsure.all()


def test_index_answers_with_bands_and_with_geos_alone(na: PolySet, tmp_path: Path) -> None:
    """An index saved before the bands existed (no band arrays) still loads and gives
    the same answers, GEOS testing every border point."""
    folder = na.index.save(tmp_path / "idx")
    with_bands = pointindex.PointIndex.load(folder)
    assert with_bands.bands is not None
    data = json.loads((folder / pointindex.INDEX_FILE).read_text(encoding="utf-8"))
    data["arrays"] = [a for a in data["arrays"] if not a.startswith("bands_")]
    (folder / pointindex.INDEX_FILE).write_text(json.dumps(data), encoding="utf-8")
    without = pointindex.PointIndex.load(folder)
    assert without.bands is None
    lon, lat = boundary_points(na.polys, 5_000, seed=9)
    rlon, rlat = polysets.random_points_in_bboxes(shapely.bounds(na.polys), 50_000, seed=9)
    lon, lat = np.concatenate([lon, rlon]), np.concatenate([lat, rlat])
    expected = na.exact(lon, lat)
    assert (with_bands.assign(lon, lat) == expected).all()
    assert (without.assign(lon, lat) == expected).all()


@pytest.mark.parametrize("kind", ["communes", "qpv_polygons"])
def test_store_index_sends_few_points_to_geos(store: Any, kind: str) -> None:
    """On the store's own indexes, 200 000 random points in the polygons' bounding
    boxes: the answers are the exact path's and GEOS tests under 1 % of the points in
    border leaves (but for the polygons it tests whole, the two QPV collections)."""
    index = store.polygon_index(kind)
    assert index.bands is not None
    asked: list[int] = []
    real = index._geos_covers

    def counted(poly: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # Not counted: polygons the bands leave to GEOS as a whole (collections).
        asked.append(int(np.count_nonzero(index.bands.first[poly] >= 0)))
        return real(poly, x, y)

    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(index.polys), 200_000, seed=2)
    index._geos_covers = counted  # type: ignore[method-assign]
    try:
        got = index.assign(lon, lat)
    finally:
        del index._geos_covers
    border, _ = index._walk(*index.grid.leaf_cells(lon, lat), np.full(lon.size, -1))
    assert border.size > 1000
    assert sum(asked) < 0.01 * border.size
    assert (got == pointindex.assign_exact(index.polys, lon, lat)).all()
