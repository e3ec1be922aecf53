"""The fast path answers exactly like the exact path, on real polygons.

Every test compares ``PointIndex.assign`` with ``assign_exact`` (GEOS through an
STRtree: lowest index of the polygons covering the point) point by point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from tests.pointindex import polysets
from zoning import pointindex

# PolySet: the fixtures' type (tests/pointindex/conftest.py), duck-typed here.
PolySet = Any


def assert_same(ps: PolySet, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Fast == exact for every point; returns the answers."""
    fast = ps.index.assign(lon, lat)
    exact = ps.exact(lon, lat)
    bad = np.flatnonzero(fast != exact)
    assert bad.size == 0, (
        f"{ps.name}: {bad.size} of {lon.size} points differ, first "
        f"({lon[bad[0]]!r}, {lat[bad[0]]!r}): fast {fast[bad[0]]} exact {exact[bad[0]]}"
    )
    return fast


def boundary_points(polys: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points on and next to the boundaries: vertices (exact), vertices one ulp
    away, edge midpoints, and midpoints pushed 1e-7 / 1e-10 / 1e-13 degree to each side."""
    rng = np.random.default_rng(seed)
    parts, _ = pointindex.flat_parts(np.asarray(polys, dtype=object))
    rings = shapely.get_rings(parts)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = np.flatnonzero(ring[1:] == ring[:-1])
    pick = rng.choice(same, size=min(n, same.size), replace=False)
    a, b = coords[pick], coords[pick + 1]
    mid = (a + b) / 2
    d = b - a
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
    normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-300)[:, None]
    sets = [a, np.nextafter(a, a + 1), np.nextafter(a, a - 1), mid]
    sets += [mid + s * e * normal for e in (1e-7, 1e-10, 1e-13) for s in (-1, 1)]
    pts = np.concatenate(sets)
    return pts[:, 0].copy(), pts[:, 1].copy()


def grid_line_points(ps: PolySet, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points exactly on leaf-cell edges (where the cell address rounds)."""
    g = ps.index.grid
    rng = np.random.default_rng(seed)
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(ps.polys), n, seed)
    kx = np.round((lon - g.x0) / g.leaf_deg)
    ky = np.round((lat - g.y0) / g.leaf_deg)
    on_x = rng.random(n) < 0.5
    lon = np.where(on_x, g.x0 + kx * g.leaf_deg, lon)
    lat = np.where(~on_x | (rng.random(n) < 0.3), g.y0 + ky * g.leaf_deg, lat)
    return lon, lat


@pytest.mark.parametrize("name", ["na", "qpv", "enclaves"])
def test_random_points(name: str, request: pytest.FixtureRequest) -> None:
    ps: PolySet = request.getfixturevalue(name)
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(ps.polys), 100_000, seed=1)
    got = assert_same(ps, lon, lat)
    assert (got >= 0).mean() > 0.5 if name != "qpv" else (got >= 0).any()


@pytest.mark.parametrize("name", ["na", "qpv", "enclaves"])
def test_border_and_vertex_points(name: str, request: pytest.FixtureRequest) -> None:
    ps: PolySet = request.getfixturevalue(name)
    lon, lat = boundary_points(ps.polys, 15_000)
    got = assert_same(ps, lon, lat)
    # Vertices (first ninth) lie on boundaries: always covered.
    assert (got[: lon.size // 10] >= 0).all()


def test_shared_vertices_take_lowest_index(na: PolySet) -> None:
    """A vertex shared by several communes goes to the lowest index."""
    coords, owner = shapely.get_coordinates(na.polys, return_index=True)
    key = coords[:, 0] * 1e6 + coords[:, 1]
    order = np.argsort(key, kind="stable")
    dup = key[order][1:] == key[order][:-1]
    shared = order[1:][dup]
    lon, lat = coords[shared, 0], coords[shared, 1]
    got = assert_same(na, lon, lat)
    owners = {}
    for i, o in zip(order[1:][dup], owner[order[1:][dup]], strict=True):
        owners.setdefault((coords[i, 0], coords[i, 1]), set()).add(o)
    for j in range(0, lon.size, max(1, lon.size // 500)):
        assert got[j] <= min(owners[(lon[j], lat[j])])


def test_grid_line_points(na: PolySet) -> None:
    lon, lat = grid_line_points(na, 100_000)
    assert_same(na, lon, lat)


def test_holes_and_enclaves(enclaves: PolySet) -> None:
    """Points in a commune's hole belong to the enclave filling it, not to the
    commune around it; hole rings and their neighbourhood match the exact path."""
    parts, owner = shapely.get_parts(enclaves.polys, return_index=True)
    holed = np.flatnonzero(shapely.get_num_interior_rings(parts) > 0)
    assert holed.size >= 7, "expected the holed communes of 82, 02 and 71"
    code = {c: i for i, c in enumerate(enclaves.codes)}
    expected = {
        "82033": "82031",  # Castelsarrasin around Castelmayran's piece
        "82094": "82021",  # Lauzerte around Bouloc-en-Quercy's piece
        "82021": "82094",  # ... and the other way round
        "82189": "82077",  # Vazerac around Labarthe
        "71028": "39140",  # Beauvernois (71) around Chêne-Sec (39)
    }
    seen = set()
    for p in holed:
        around = enclaves.codes[owner[p]]
        for k in range(shapely.get_num_interior_rings(parts[p])):
            hole = shapely.Polygon(shapely.get_interior_ring(parts[p], k))
            inside = shapely.point_on_surface(hole)
            got = enclaves.index.assign([inside.x], [inside.y])[0]
            assert got == enclaves.exact([inside.x], [inside.y])[0]
            assert got >= 0 and enclaves.codes[got] != around
            if around in expected:
                assert enclaves.codes[got] == expected[around]
                seen.add(around)
            lon, lat = boundary_points(np.array([hole]), 2_000, seed=k)
            assert_same(enclaves, lon, lat)
            # a dense sample of the hole and its surroundings
            minx, miny, maxx, maxy = hole.bounds
            rng = np.random.default_rng(k)
            lon = rng.uniform(minx - 1e-3, maxx + 1e-3, 5_000)
            lat = rng.uniform(miny - 1e-3, maxy + 1e-3, 5_000)
            assert_same(enclaves, lon, lat)
    assert seen == set(expected)
    assert code  # codes are unique keys


def test_sea_and_outside(na: PolySet) -> None:
    lon = np.array([-3.0, -2.0, -1.6, 0.0, 10.0, -180.0, 180.0, 0.0, 5.0])
    lat = np.array([45.5, 46.0, 44.0, 0.0, 60.0, -90.0, 90.0, 90.0, 43.0])
    got = assert_same(na, lon, lat)
    assert (got == -1).all()


def test_bad_coordinates_answer_minus_one(na: PolySet) -> None:
    nan, inf = np.nan, np.inf
    lon = np.array([nan, -0.57, nan, inf, -inf, 500.0, -0.57, 1e308, -1e308, -0.57])
    lat = np.array([44.84, nan, nan, 44.84, 44.84, 44.84, -100.0, 44.84, 44.84, 1e308])
    assert (na.index.assign(lon, lat) == -1).all()
    assert (pointindex.assign_exact(na.polys, lon, lat) == -1).all()
    # Bordeaux (33063) for a control point in the middle of the city
    bordeaux = na.index.assign([-0.5792], [44.8378])[0]
    assert na.codes[bordeaux] == "33063"


def test_empty_and_mismatched_input(na: PolySet) -> None:
    assert na.index.assign(np.array([]), np.array([])).shape == (0,)
    assert pointindex.assign_exact(na.polys, [], []).shape == (0,)
    with pytest.raises(ValueError, match="differ in length"):
        na.index.assign([0.0, 1.0], [0.0])


def test_overlapping_invalid_and_missing_polygons() -> None:
    """Hand-written shapes (not real data): nested and overlapping squares, a
    self-intersecting bow-tie, a line, ``None``, an empty polygon and a collection
    of overlapping squares; the lowest index still wins."""
    sq = shapely.box
    polys = np.array(
        [
            sq(0.3, 0.3, 0.7, 0.7),  # inside 1
            sq(0, 0, 1, 1),
            sq(0.5, 0.5, 1.5, 1.5),  # overlaps 1
            shapely.Polygon([(2, 0), (3, 1), (3, 0), (2, 1)]),  # bow-tie, invalid
            None,
            shapely.LineString([(0, 2), (1, 3)]),
            shapely.Polygon(),
            # "valid" for GEOS, yet its two parts overlap: parity per part, not per polygon
            shapely.GeometryCollection([sq(4, 0, 5, 1), sq(4.5, 0.5, 5.5, 1.5)]),
        ],
        dtype=object,
    )
    assert shapely.is_valid(polys[7])
    index = pointindex.build_index(polys, leaf_deg=1 / 64, top_deg=0.5)
    rng = np.random.default_rng(3)
    lon = np.concatenate([rng.uniform(-0.5, 6, 50_000), np.arange(0, 3.01, 1 / 128)])
    lat = np.concatenate([rng.uniform(-0.5, 3.5, 50_000), np.arange(0, 3.01, 1 / 128)])
    lon = np.concatenate([lon, [0.5, 0.25, 2.5, 0.5, 0.3, 4.75]])
    lat = np.concatenate([lat, [2.5, 0.25, 0.5, 0.5, 0.3, 0.75]])
    fast = index.assign(lon, lat)
    exact = pointindex.assign_exact(polys, lon, lat)
    assert (fast == exact).all()
    assert list(fast[-6:]) == [5, 1, 3, 0, 0, 7]


def test_save_load_roundtrip(na: PolySet, tmp_path: Path) -> None:
    folder = na.index.save(tmp_path / "idx")
    loaded = pointindex.PointIndex.load(folder)
    assert loaded.fingerprint == pointindex.fingerprint(na.polys)
    assert loaded._polys is None  # polygons are read only when a border point needs them
    assert isinstance(loaded.levels[-1].base, np.memmap)  # mapped, not read into memory
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(na.polys), 50_000, seed=5)
    assert (loaded.assign(lon, lat) == na.index.assign(lon, lat)).all()
    assert shapely.equals_exact(loaded.polys, na.polys, tolerance=0).all()
    (folder / pointindex.INDEX_FILE).write_text('{"format": 0}', encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        pointindex.PointIndex.load(folder)


def test_store_communes(store_na: PolySet) -> None:
    """The store's COG 2022 polygons of NA (dissolved from 2018)."""
    assert store_na.polys.size == 4309
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(store_na.polys), 100_000, 7)
    assert_same(store_na, lon, lat)
    lon, lat = boundary_points(store_na.polys, 10_000)
    assert_same(store_na, lon, lat)


@pytest.mark.slow
def test_all_france(sources_dir: Path) -> None:
    """All 35 357 communes (COG 2018) of the sources, overseas included."""
    gdf = polysets.read_communes(sources_dir)
    polys = gdf.geometry.values
    index = pointindex.build_index(polys, leaf_deg=1 / 1024)
    tree = shapely.STRtree(polys)
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(polys), 300_000, 11)
    blon, blat = boundary_points(polys, 30_000)
    lon, lat = np.concatenate([lon, blon]), np.concatenate([lat, blat])
    assert (index.assign(lon, lat) == pointindex.assign_exact(polys, lon, lat, tree=tree)).all()


def test_load_or_build_reuses_then_rebuilds(qpv: PolySet, tmp_path: Path) -> None:
    folder = tmp_path / "pointindex_qpv"
    first = pointindex.load_or_build(folder, qpv.polys)
    again = pointindex.load_or_build(folder, qpv.polys)
    assert isinstance(again.levels[0].base, np.memmap)  # opened, not rebuilt
    assert again.fingerprint == first.fingerprint
    fewer = pointindex.load_or_build(folder, qpv.polys[:50])
    assert fewer.n_polys == 50 and pointindex.PointIndex.load(folder).n_polys == 50
    lon, lat = boundary_points(qpv.polys[:50], 2_000)
    assert (fewer.assign(lon, lat) == pointindex.assign_exact(qpv.polys[:50], lon, lat)).all()


def test_store_qpv_polygons(store: Any) -> None:
    """The store's QPV polygons, as the lead's lookup will index them."""
    gdf = store.qpv_polygons()
    polys = np.asarray(gdf.geometry.values, dtype=object)
    assert polys.size > 0
    index = pointindex.build_index(polys)
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(polys), 50_000, 13)
    blon, blat = boundary_points(polys, 5_000)
    lon, lat = np.concatenate([lon, blon]), np.concatenate([lat, blat])
    assert (index.assign(lon, lat) == pointindex.assign_exact(polys, lon, lat)).all()


@pytest.mark.slow
def test_store_all_communes(store: Any) -> None:
    """All COG 2022 communes of the store (France and overseas)."""
    polys = np.asarray(store.communes_gdf().geometry.values, dtype=object)
    index = pointindex.build_index(polys, leaf_deg=1 / 1024)
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(polys), 200_000, 17)
    blon, blat = boundary_points(polys, 20_000)
    lon, lat = np.concatenate([lon, blon]), np.concatenate([lat, blat])
    assert (index.assign(lon, lat) == pointindex.assign_exact(polys, lon, lat)).all()


@pytest.mark.parametrize("name", ["na", "qpv", "enclaves"])
def test_few_points_walk_like_the_vectorised_query(
    name: str, request: pytest.FixtureRequest
) -> None:
    """One point at a time (the web API's path: a Python walk, not numpy) answers like
    the exact path: border points, cell edges, random points, NaN and out of range."""
    ps: PolySet = request.getfixturevalue(name)
    blon, blat = boundary_points(ps.polys, 300, seed=3)
    glon, glat = grid_line_points(ps, 300, seed=3)
    rlon, rlat = polysets.random_points_in_bboxes(shapely.bounds(ps.polys), 300, seed=3)
    odd = [np.nan, np.inf, -np.inf, 500.0, -500.0]
    lon = np.concatenate([blon, glon, rlon, odd, [1.0] * len(odd)])
    lat = np.concatenate([blat, glat, rlat, [46.0] * len(odd), odd])
    one_by_one = np.array(
        [ps.index.assign(lon[i : i + 1], lat[i : i + 1])[0] for i in range(lon.size)]
    )
    in_fours = np.concatenate(
        [ps.index.assign(lon[i : i + 4], lat[i : i + 4]) for i in range(0, lon.size, 4)]
    )
    exact = ps.exact(lon, lat)
    assert (one_by_one == exact).all() and (in_fours == exact).all()
    assert (exact[-2 * len(odd) :] == -1).all()


THREADS_ON_ONE_INDEX = """
import sys, threading
import numpy as np
from zoning.pointindex import PointIndex

rng = np.random.default_rng(0)
lon, lat = rng.uniform(-1.8, 2.6, 400_000), rng.uniform(42.8, 47.2, 400_000)
for _ in range(6):
    index = PointIndex.load(sys.argv[1])  # polygons decoded and prepared on first use
    out = [None] * 4

    def work(k):
        order = np.random.default_rng(k).permutation(lon.size)
        got = index.assign(lon[order], lat[order])
        out[k] = np.empty_like(got)
        out[k][order] = got

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all((o == out[0]).all() for o in out)
print("ok")
"""


def test_threads_share_one_index_without_corrupting_memory(store_path: Path) -> None:
    """Four threads query one freshly loaded index (as `assign`'s chunks and the web
    server's requests do). GEOS prepared polygons are not safe to query from two threads
    at once: before the index serialised its GEOS calls this process died (« double free
    or corruption », segmentation fault) in three runs out of three."""
    import subprocess
    import sys

    folder = store_path / "pointindex_communes"
    done = subprocess.run(
        [sys.executable, "-c", THREADS_ON_ONE_INDEX, str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]


@pytest.mark.parametrize("side", [2, 4])
def test_free_children_groups_are_the_connected_ones(side: int) -> None:
    """The build answers one centre per group of free children that touch: the table of
    groups is checked against a plain flood fill, on every set of free children."""
    from zoning.pointindex.build import _free_groups

    groups = _free_groups(side)
    assert groups is not None
    cells = side * side
    for mask in range(0, 1 << cells, 1 if side == 2 else 97):  # 676 sets of 65 536
        free = {c for c in range(cells) if mask >> c & 1}
        for start in free:
            seen, todo = {start}, [start]
            while todo:
                c = todo.pop()
                dx, dy = divmod(c, side)
                for nx, ny in ((dx + 1, dy), (dx - 1, dy), (dx, dy + 1), (dx, dy - 1)):
                    n = nx * side + ny
                    if 0 <= nx < side and 0 <= ny < side and n in free and n not in seen:
                        seen.add(n)
                        todo.append(n)
            assert groups[mask, start] == min(seen), (mask, start)
