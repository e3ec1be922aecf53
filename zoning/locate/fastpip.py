"""Fast, exact point-to-polygon assignment for large point sets.

The question answered everywhere in this module is the one of the exact path
(:func:`assign_exact`): for every point, the lowest index of the polygons that
*cover* it (a point on a boundary counts), or ``-1`` when none does.

:func:`build_index` answers it faster with a hierarchical grid (a quadtree with
``2**branch_bits`` cells per side and per level, on a power-of-two grid in
degrees). A cell that no polygon boundary touches is covered by the same
polygons all over, so it stores the exact answer for its centre; a cell that a
boundary touches is split again, down to the leaf level, where points go through
the exact GEOS test on the few polygons whose boundary crosses that leaf.

Why this is exact (and not "almost"):

* every cell address is derived from one integer per axis,
  ``G = floor((x - x0) * inv_leaf)``, computed the same way at build and query
  time; coarser cells are ``G >> shift``, so a point lands in a leaf and in its
  parents consistently, and ``G`` is monotonic in ``x`` under IEEE rounding;
* boundaries are cut in pieces no longer than a leaf, and each piece marks every
  leaf its bounding box (widened by ``EPS_DEG``) touches: a superset of the leaves
  it really crosses, whatever the rounding of the cut points;
* an unmarked cell therefore holds no boundary point, its coverage set is
  constant, and the exact answer at its centre is the answer for all its points;
* in a marked leaf a polygon that covers a point either has boundary in that leaf
  (it is a candidate and is tested exactly, lowest index first) or covers the
  whole leaf, hence its centre (the leaf's ``floor`` answer).

Non-finite coordinates and points outside the grid answer ``-1``.

Cell centres are labelled at build time by :mod:`zoning.locate.scanline`
(crossing numbers along rows, safe because a centre lies at least half a cell
from any boundary that matters); GEOS settles the few it reports unsure.

Memory (default leaf 1/2048 degree): the index of the 4 405 NA communes takes
38 MB, that of the 35 357 French communes (overseas included) 276 MB; arrays are
memory-mapped by :meth:`PointIndex.load`. Building peaks at ~0.7 GB (NA) and
~2.5 GB (France) of RSS. A query needs ~80 bytes per point of temporaries, so
pass large inputs in chunks (:mod:`zoning.locate.stream` uses 1 M points).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from zoning.locate.scanline import build_row_intervals, locate_clear

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
#: Margin (degrees, about 0.1 mm) added around boundary pieces when marking cells.
#: It only has to exceed float rounding of the cut points (~1e-14 degree).
EPS_DEG = 1e-9
#: Boundary pieces handled per batch while marking leaves (bounds build memory).
PIECES_PER_BATCH = 2_000_000
#: Default leaf cell size (degrees), see :func:`build_index`.
DEFAULT_LEAF_DEG = 1 / 2048
#: Child cells handled per batch while filling a level (bounds build memory).
CHILDREN_PER_BATCH = 4_000_000
_NO_POLY = np.iinfo(np.int32).max
#: Bits per axis of a leaf cell key: 2**20 leaves of 1/1024 degree span 1024 degrees.
CELL_BITS = 20
CELL_MASK = (1 << CELL_BITS) - 1
INDEX_FILE = "pointindex.json"

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
GeomArray = npt.NDArray[np.object_]


def _as_geom_array(polys: Sequence[Any] | GeomArray) -> GeomArray:
    arr = np.asarray(polys, dtype=object)
    if arr.ndim != 1:
        raise ValueError("polys must be a one-dimensional sequence of shapely geometries")
    return arr


def _as_coords(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    y = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in length ({x.size} != {y.size})")
    return x, y


def sorted_unique(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sorted distinct values (sort-based: numpy's hash-based ``unique`` is far slower here)."""
    a = np.sort(a, kind="stable" if a.dtype.kind == "f" else None)
    if a.size:
        keep = np.empty(a.size, dtype=bool)
        keep[0] = True
        np.not_equal(a[1:], a[:-1], out=keep[1:])
        a = a[keep]
    return a


def in_sorted(values: npt.NDArray[Any], sorted_set: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Membership of ``values`` in an already sorted array."""
    if not sorted_set.size:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[pos] == values


def first_hit_per_point(point_idx: IntArray, poly_idx: IntArray, n: int) -> IntArray:
    """Reduce (point, polygon) hit pairs to the lowest polygon index per point.

    Parameters
    ----------
    point_idx, poly_idx : numpy.ndarray
        Parallel arrays of hits, as returned by ``STRtree.query``.
    n : int
        Number of points.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of length ``n``: lowest polygon index hit, ``-1`` if none.
    """
    out = np.full(n, -1, dtype=np.int64)
    if point_idx.size:
        order = np.lexsort((poly_idx, point_idx))
        p = point_idx[order]
        first = np.ones(p.size, dtype=bool)
        first[1:] = p[1:] != p[:-1]
        out[p[first]] = poly_idx[order][first]
    return out


def assign_exact(
    polys: Sequence[Any] | GeomArray,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    tree: shapely.STRtree | None = None,
) -> IntArray:
    """Assign points to polygons the slow, obviously right way (the reference).

    ``shapely.STRtree(polys).query(points, predicate="intersects")`` reduced to
    the lowest polygon index per point.

    Parameters
    ----------
    polys : sequence of shapely geometries
        Polygons (EPSG:4326); ``None`` or empty entries never match.
    lon, lat : array_like
        Point coordinates (float64).
    tree : shapely.STRtree, optional
        A tree already built on ``polys``.

    Returns
    -------
    numpy.ndarray
        ``int64`` polygon index per point; ``-1`` when no polygon covers it or the
        coordinates are not finite.
    """
    x, y = _as_coords(lon, lat)
    geoms = _as_geom_array(polys)
    ok = np.isfinite(x) & np.isfinite(y)
    if tree is None:
        tree = shapely.STRtree(geoms)
    sel = np.flatnonzero(ok)
    pi, gi = tree.query(shapely.points(x[sel], y[sel]), predicate="intersects")
    out = np.full(x.size, -1, dtype=np.int64)
    out[sel] = first_hit_per_point(sel[pi], gi.astype(np.int64), x.size)[sel]
    return out


def flat_parts(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Single parts (points, lines, rings, polygons) of ``geoms``, by owner index.

    Collections may nest (``make_valid`` returns a collection holding a
    multipolygon), so parts are taken until none is a multi-part.
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    owner = owner.astype(np.int64)
    while True:
        multi = shapely.get_type_id(parts) >= 4
        if not multi.any():
            order = np.argsort(owner, kind="stable")
            return parts[order], owner[order]
        sub, sub_of = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][sub_of]])


def _linework(geoms: GeomArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """All boundary segments of ``geoms`` as (x1, y1, x2, y2, polygon index).

    Rings of polygonal parts, line parts and point parts (``make_valid`` may leave
    lines and points in a collection) are all boundaries for the marking: a
    point exactly on them is covered, a point next to them is not.
    """
    parts, part_of = flat_parts(geoms)
    kind = shapely.get_type_id(parts)
    poly_mask = kind == 3
    rings, ring_of = shapely.get_rings(parts[poly_mask], return_index=True)
    ring_owner = part_of[poly_mask][ring_of]
    lines_mask = (kind == 1) | (kind == 2)
    lines = np.concatenate([rings, parts[lines_mask]])
    owner = np.concatenate([ring_owner, part_of[lines_mask]]).astype(np.int64)
    coords, line_idx = shapely.get_coordinates(lines, return_index=True)
    same = line_idx[1:] == line_idx[:-1]
    x1, y1 = coords[:-1, 0][same], coords[:-1, 1][same]
    x2, y2 = coords[1:, 0][same], coords[1:, 1][same]
    seg_owner = owner[line_idx[:-1][same]]
    pts = parts[kind == 0]
    if pts.size:
        pc = shapely.get_coordinates(pts)
        x1 = np.concatenate([x1, pc[:, 0]])
        y1 = np.concatenate([y1, pc[:, 1]])
        x2 = np.concatenate([x2, pc[:, 0]])
        y2 = np.concatenate([y2, pc[:, 1]])
        seg_owner = np.concatenate([seg_owner, part_of[kind == 0].astype(np.int64)])
    return x1, y1, x2, y2, seg_owner


@dataclass(frozen=True)
class GridSpec:
    """Geometry of the hierarchical grid.

    Attributes
    ----------
    x0, y0 : float
        South-west corner of the grid (degrees, multiple of the top cell size).
    leaf_deg : float
        Leaf cell size in degrees (a power of two, so ``1 / leaf_deg`` is exact).
    branch_bits : int
        Each level splits a cell in ``2**branch_bits`` cells per side.
    depth : int
        Number of levels below the top grid.
    nx0, ny0 : int
        Top grid size in cells.
    """

    x0: float
    y0: float
    leaf_deg: float
    branch_bits: int
    depth: int
    nx0: int
    ny0: int

    @property
    def top_shift(self) -> int:
        """Right shift from leaf coordinates to top-grid coordinates."""
        return self.branch_bits * self.depth

    @property
    def top_deg(self) -> float:
        """Top cell size in degrees."""
        return self.leaf_deg * (1 << self.top_shift)

    def leaf_coords(
        self, x: FloatArray, y: FloatArray
    ) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
        """Leaf grid coordinates of points, and which points fall inside the grid."""
        inv = 1.0 / self.leaf_deg
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN are rejected below
            fx = np.floor((x - self.x0) * inv)
            fy = np.floor((y - self.y0) * inv)
        nxl = float(self.nx0 << self.top_shift)
        nyl = float(self.ny0 << self.top_shift)
        # NaN compares False, so non-finite points are outside too.
        inside = (fx >= 0) & (fx < nxl) & (fy >= 0) & (fy < nyl)
        gx = np.where(inside, fx, 0).astype(np.int64)
        gy = np.where(inside, fy, 0).astype(np.int64)
        return gx, gy, inside

    def centres(self, gx: IntArray, gy: IntArray, shift: int) -> tuple[FloatArray, FloatArray]:
        """Centres of cells at the level whose coordinates are ``G >> shift``."""
        size = self.leaf_deg * (1 << shift)
        cx = self.x0 + (gx + 0.5) * size
        cy = self.y0 + (gy + 0.5) * size
        return cx.astype(np.float64), cy.astype(np.float64)


def make_grid(
    bounds: Sequence[float] | FloatArray, leaf_deg: float, branch_bits: int, top_deg: float
) -> GridSpec:
    """Choose a grid covering ``bounds`` (minx, miny, maxx, maxy).

    ``leaf_deg`` is rounded to a power of two, ``top_deg`` to the nearest
    ``leaf * 2**(branch_bits * depth)``.
    """
    leaf = 2.0 ** round(np.log2(leaf_deg))
    depth = max(1, round(np.log2(top_deg / leaf) / branch_bits))
    top = leaf * (1 << (branch_bits * depth))
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    x0 = np.floor(minx / top) * top - top
    y0 = np.floor(miny / top) * top - top
    nx0 = int(np.floor((maxx - x0) / top)) + 2
    ny0 = int(np.floor((maxy - y0) / top)) + 2
    return GridSpec(float(x0), float(y0), leaf, branch_bits, depth, nx0, ny0)


def _mark_leaves(
    grid: GridSpec,
    segs: tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray],
    n_polys: int,
) -> IntArray:
    """Unique ``(leaf cell, polygon)`` keys of every leaf a boundary may touch.

    ``key = ((gx << CELL_BITS) | gy) * n_polys + poly``, so sorting keys sorts by
    leaf, then by polygon.
    """
    x1, y1, x2, y2, owner = segs
    inv = 1.0 / grid.leaf_deg
    n_pieces = np.maximum(
        1, np.ceil(np.maximum(np.abs(x2 - x1), np.abs(y2 - y1)) * inv).astype(np.int64)
    )
    ends = np.cumsum(n_pieces)
    starts = ends - n_pieces
    keys: list[IntArray] = []
    nmax = grid.nx0 << grid.top_shift
    nymax = grid.ny0 << grid.top_shift
    seg_lo = 0
    while seg_lo < x1.size:
        seg_hi = int(np.searchsorted(ends, starts[seg_lo] + PIECES_PER_BATCH, side="right"))
        seg_hi = max(seg_hi, seg_lo + 1)
        sl = slice(seg_lo, seg_hi)
        cnt = n_pieces[sl]
        seg = np.repeat(np.arange(seg_lo, seg_hi), cnt)
        k = np.arange(seg.size) - np.repeat(starts[sl] - starts[seg_lo], cnt)
        nn = n_pieces[seg].astype(np.float64)
        t0, t1 = k / nn, (k + 1) / nn
        dx, dy = x2[seg] - x1[seg], y2[seg] - y1[seg]
        ax, bx = x1[seg] + t0 * dx, x1[seg] + t1 * dx
        ay, by = y1[seg] + t0 * dy, y1[seg] + t1 * dy
        lo_x = np.floor((np.minimum(ax, bx) - EPS_DEG - grid.x0) * inv).astype(np.int64)
        hi_x = np.floor((np.maximum(ax, bx) + EPS_DEG - grid.x0) * inv).astype(np.int64)
        lo_y = np.floor((np.minimum(ay, by) - EPS_DEG - grid.y0) * inv).astype(np.int64)
        hi_y = np.floor((np.maximum(ay, by) + EPS_DEG - grid.y0) * inv).astype(np.int64)
        poly = owner[seg]
        span_x = int((hi_x - lo_x).max()) + 1
        span_y = int((hi_y - lo_y).max()) + 1
        for i in range(span_x):
            for j in range(span_y):
                gx = lo_x + i
                gy = lo_y + j
                ok = (
                    (gx <= hi_x) & (gy <= hi_y) & (gx >= 0) & (gy >= 0) & (gx < nmax) & (gy < nymax)
                )
                keys.append(sorted_unique(((gx[ok] << CELL_BITS) | gy[ok]) * n_polys + poly[ok]))
        seg_lo = seg_hi
    return sorted_unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)


@dataclass
class PointIndex:
    """Hierarchical-grid index answering :func:`assign_exact` faster.

    Build it with :func:`build_index`, keep it with :meth:`save`, reopen it with
    :meth:`load` (arrays are memory-mapped, polygons read lazily).

    Attributes
    ----------
    grid : GridSpec
        Grid geometry.
    levels : list of numpy.ndarray
        ``levels[0]`` is the top grid (``nx0 * ny0`` cells, row ``gx``), then one
        array per level of ``n_blocks * B * B`` cells. A value ``>= 0`` is the
        polygon index covering the whole cell, ``-1`` none, ``<= -2`` a pointer
        ``-(2 + block)`` to the next level, or at the leaf level ``-(2 + start)``
        where ``start`` is the position of the leaf's list in ``cand``.
    cand : numpy.ndarray
        Candidate lists of the border leaves, one after the other: polygons with
        boundary in the leaf, ascending, then a terminator ``n_polys`` (no polygon
        covers the whole leaf) or ``n_polys + 1`` (see ``floor_at``).
        ``uint16`` when the polygons allow, else ``int32``.
    floor_at, floor : numpy.ndarray
        Sparse table, sorted by terminator position: the lowest polygon covering
        the whole leaf (only with overlapping polygons, so usually empty).
    n_polys : int
        Number of polygons.
    fingerprint : str
        SHA-256 of the polygons' WKB (to detect a stale saved index).
    """

    grid: GridSpec
    levels: list[npt.NDArray[np.int32]]
    cand: npt.NDArray[np.integer[Any]]
    floor_at: npt.NDArray[np.int64]
    floor: npt.NDArray[np.int32]
    n_polys: int
    fingerprint: str
    _polys: GeomArray | None = field(default=None, repr=False)
    _wkb_dir: Path | None = field(default=None, repr=False)

    # -- polygons ----------------------------------------------------------------
    @property
    def polys(self) -> GeomArray:
        """The indexed polygons, prepared for exact tests (read lazily after load)."""
        if self._polys is None:
            if self._wkb_dir is None:
                raise RuntimeError("PointIndex has neither polygons nor a folder to read them from")
            self._polys = _read_wkb(self._wkb_dir)
            shapely.prepare(self._polys)
        return self._polys

    # -- query -------------------------------------------------------------------
    def assign(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> IntArray:
        """Index of the lowest polygon covering each point, ``-1`` for none.

        Parameters
        ----------
        lon, lat : array_like
            Coordinates in EPSG:4326 (float64). NaN, infinite or out-of-range values
            answer ``-1``.

        Returns
        -------
        numpy.ndarray
            ``int64`` polygon index per point, equal to :func:`assign_exact`.
        """
        x, y = _as_coords(lon, lat)
        out = np.full(x.size, -1, dtype=np.int64)
        g = self.grid
        gx, gy, inside = g.leaf_coords(x, y)
        # int32 all the way: half the memory traffic of int64 (values < 2**31:
        # leaf coordinates < 2**CELL_BITS, level arrays < 2**31 cells).
        idx = np.flatnonzero(inside).astype(np.int32)
        gx, gy = gx[idx].astype(np.int32), gy[idx].astype(np.int32)
        bits, mask = g.branch_bits, (1 << g.branch_bits) - 1
        shift = g.top_shift
        v = self.levels[0][(gx >> shift) * np.int32(g.ny0) + (gy >> shift)]
        for level in range(1, g.depth + 1):
            todo = v <= -2
            done = ~todo
            out[idx[done]] = v[done]
            idx, gx, gy, blk = idx[todo], gx[todo], gy[todo], -2 - v[todo]
            shift -= bits
            local = (((gx >> shift) & mask) << bits) | ((gy >> shift) & mask)
            v = self.levels[level][(blk << (2 * bits)) | local]
        todo = v <= -2
        out[idx[~todo]] = v[~todo]
        if todo.any():
            leaf = (-2 - v[todo]).astype(np.int64)
            out[idx[todo]] = self._assign_border(x[idx[todo]], y[idx[todo]], leaf)
        return out

    def _assign_border(self, x: FloatArray, y: FloatArray, leaf: IntArray) -> IntArray:
        """Exact test in border leaves, candidates in ascending order."""
        polys = self.polys
        res = np.full(leaf.size, -1, dtype=np.int64)
        ptr = leaf.copy()
        # Points grouped by first candidate: GEOS then reuses each polygon's
        # point-in-area index while it is in cache (~1.6x faster on France).
        pending = np.argsort(self.cand[leaf], kind="stable")
        n = self.n_polys
        while pending.size:
            c = self.cand[ptr[pending]].astype(np.int64)
            end = c >= n
            if end.any():
                floored = pending[c == n + 1]
                if floored.size:
                    res[floored] = self.floor[np.searchsorted(self.floor_at, ptr[floored])]
                pending, c = pending[~end], c[~end]
            hit = shapely.intersects_xy(polys[c], x[pending], y[pending])
            res[pending[hit]] = c[hit]
            pending = pending[~hit]
            ptr[pending] += 1
        return res

    # -- persistence -------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the index into ``folder`` (``pointindex.json`` + ``.npy`` files).

        Returns
        -------
        pathlib.Path
            The folder written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[Any]] = {f"level{i}": a for i, a in enumerate(self.levels)}
        arrays.update(cand=self.cand, floor_at=self.floor_at, floor=self.floor)
        for name, arr in arrays.items():
            np.save(folder / f"pointindex_{name}.npy", np.ascontiguousarray(arr))
        _write_wkb(folder, self.polys)
        meta = {
            "format": FORMAT_VERSION,
            "grid": self.grid.__dict__,
            "n_polys": self.n_polys,
            "fingerprint": self.fingerprint,
            "arrays": sorted(arrays),
        }
        (folder / INDEX_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True) -> PointIndex:
        """Reopen an index written by :meth:`save` (memory-mapped, polygons lazy).

        Raises
        ------
        FileNotFoundError
            If ``folder`` holds no index.
        ValueError
            If the index was written by an incompatible version.
        """
        folder = Path(folder)
        meta = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(
                f"{folder}: point index format {meta.get('format')}, expected {FORMAT_VERSION}"
            )

        def arr(name: str) -> npt.NDArray[Any]:
            path = folder / f"pointindex_{name}.npy"
            return np.load(path, mmap_mode="r") if mmap else np.load(path)

        grid = GridSpec(**meta["grid"])
        return cls(
            grid=grid,
            levels=[arr(f"level{i}") for i in range(grid.depth + 1)],
            cand=arr("cand"),
            floor_at=arr("floor_at"),
            floor=arr("floor"),
            n_polys=int(meta["n_polys"]),
            fingerprint=str(meta["fingerprint"]),
            _wkb_dir=folder,
        )

    def nbytes(self) -> int:
        """Bytes of the index arrays (polygons excluded)."""
        return int(
            sum(a.nbytes for a in self.levels)
            + self.cand.nbytes
            + self.floor_at.nbytes
            + self.floor.nbytes
        )


def _write_wkb(folder: Path, polys: GeomArray) -> None:
    wkb = shapely.to_wkb(polys)
    sizes = np.array([len(b) if b is not None else 0 for b in wkb], dtype=np.int64)
    blob = b"".join(b for b in wkb if b is not None)
    np.save(folder / "pointindex_wkb_offsets.npy", np.concatenate([[0], np.cumsum(sizes)]))
    np.save(folder / "pointindex_wkb.npy", np.frombuffer(blob, dtype=np.uint8))


def _read_wkb(folder: Path) -> GeomArray:
    off = np.load(folder / "pointindex_wkb_offsets.npy")
    blob = np.load(folder / "pointindex_wkb.npy").tobytes()
    wkb = np.array(
        [blob[a:b] if b > a else None for a, b in itertools.pairwise(off.tolist())], dtype=object
    )
    return np.asarray(shapely.from_wkb(wkb), dtype=object)


def fingerprint(polys: Sequence[Any] | GeomArray) -> str:
    """SHA-256 of the polygons' WKB, to tell whether a saved index still fits."""
    h = hashlib.sha256()
    for b in shapely.to_wkb(_as_geom_array(polys)):
        h.update(b if b is not None else b"\0")
    return h.hexdigest()


def build_index(
    polys: Sequence[Any] | GeomArray,
    leaf_deg: float = DEFAULT_LEAF_DEG,
    branch_bits: int = 2,
    top_deg: float = 0.25,
) -> PointIndex:
    """Build a :class:`PointIndex` over polygons in EPSG:4326.

    Parameters
    ----------
    polys : sequence of shapely geometries
        Polygons (may overlap, be invalid, ``None`` or empty: the answer is still
        that of :func:`assign_exact`; speed assumes a tiling such as communes).
    leaf_deg : float
        Leaf cell size in degrees, rounded to a power of two. The default 1/2048
        (54 m north-south, ~38 m east-west in France) sends ~5 % of random points
        to the exact test; the index of all French communes is then ~280 MB
        (1/1024: ~130 MB and ~1.5x slower queries; NA alone: 38 MB / 18 MB).
    branch_bits : int
        Each level splits a cell into ``2**branch_bits`` cells per side.
    top_deg : float
        Approximate top cell size in degrees.

    Returns
    -------
    PointIndex
    """
    t0 = time.perf_counter()
    geoms = _as_geom_array(polys)
    n = int(geoms.size)
    if n >= _NO_POLY:
        raise ValueError("too many polygons for an int32 index")
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = shapely.total_bounds(geoms[usable]) if usable.any() else np.array([0.0, 0.0, 1.0, 1.0])
    grid = make_grid(bounds, leaf_deg, branch_bits, top_deg)
    n_leaf = max(grid.nx0, grid.ny0) << grid.top_shift
    if n_leaf > CELL_MASK or 2 * CELL_BITS + max(n, 1).bit_length() > 62:
        raise ValueError(
            f"grid too fine for these bounds ({n_leaf} leaves per side) or too many polygons"
        )
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    segs = _linework(geoms)
    pairs = _mark_leaves(grid, segs, max(n, 1))
    n_p = max(n, 1)
    leaf_cells = sorted_unique(pairs // n_p)  # key (gx << CELL_BITS | gy), sorted
    pair_cell = pairs // n_p
    pair_poly = (pairs % n_p).astype(np.int32)
    del pairs
    lgx, lgy = leaf_cells >> CELL_BITS, leaf_cells & CELL_MASK

    bits, depth = branch_bits, grid.depth
    side = 1 << bits
    # Border cells of each level, as sorted keys (gx << CELL_BITS | gy) at that level.
    border: list[IntArray] = []
    for level in range(depth + 1):
        s = bits * (depth - level)
        border.append(sorted_unique(((lgx >> s) << CELL_BITS) | (lgy >> s)))

    # Boundary-free cells take the answer at their centre. Centres are clear of
    # every boundary (or, for border leaves, of the non-candidate ones), so the
    # scanline test settles nearly all; GEOS settles the rest. Rows first: the
    # centre latitudes of every cell that will need a label.
    row_parts = [grid.centres(np.zeros(grid.ny0, np.int64), np.arange(grid.ny0), grid.top_shift)[1]]
    for level in range(1, depth + 1):
        pgy = sorted_unique(border[level - 1] & CELL_MASK)
        cgy = ((pgy[:, None] << bits) | np.arange(side)[None, :]).ravel()
        row_parts.append(grid.centres(np.zeros(cgy.size, np.int64), cgy, bits * (depth - level))[1])
    intervals = build_row_intervals(geoms, np.concatenate(row_parts))
    del row_parts
    n_unsure = 0

    def label(cx: FloatArray, cy: FloatArray) -> npt.NDArray[np.int32]:
        nonlocal n_unsure
        lab, unsure = locate_clear(intervals, cx, cy)
        if unsure.any():
            lab[unsure] = assign_exact(geoms, cx[unsure], cy[unsure], tree=tree)
            n_unsure += int(unsure.sum())
        return lab.astype(np.int32)

    levels: list[npt.NDArray[np.int32]] = []
    top = np.full(grid.nx0 * grid.ny0, -1, dtype=np.int32)
    bgx, bgy = border[0] >> CELL_BITS, border[0] & CELL_MASK
    top_slot = bgx * grid.ny0 + bgy
    is_border_top = np.zeros(top.size, dtype=bool)
    is_border_top[top_slot] = True
    top[top_slot] = -2 - np.arange(top_slot.size, dtype=np.int32)
    free = np.flatnonzero(~is_border_top)
    top[free] = label(*grid.centres(free // grid.ny0, free % grid.ny0, grid.top_shift))
    levels.append(top)

    sub = np.arange(side * side)
    for level in range(1, depth + 1):
        parents = border[level - 1]
        here = border[level]
        vals = np.full(parents.size * side * side, -1, dtype=np.int32)
        # Parents in batches: children arrays are the build's largest temporaries.
        step = max(1, CHILDREN_PER_BATCH // (side * side))
        for lo in range(0, parents.size, step):
            pk = parents[lo : lo + step]
            pgx, pgy = pk >> CELL_BITS, pk & CELL_MASK
            cgx = ((pgx[:, None] << bits) | (sub[None, :] >> bits)).ravel()
            cgy = ((pgy[:, None] << bits) | (sub[None, :] & (side - 1))).ravel()
            ckey = (cgx << CELL_BITS) | cgy
            pos = np.searchsorted(here, ckey)
            is_b = here[np.minimum(pos, here.size - 1)] == ckey
            out = vals[lo * side * side : (lo + pk.size) * side * side]
            out[is_b] = -2 - pos[is_b].astype(np.int32)
            free = np.flatnonzero(~is_b)
            out[free] = label(*grid.centres(cgx[free], cgy[free], bits * (depth - level)))
        levels.append(vals)

    # Border leaves: candidates are the polygons with boundary in the leaf; the
    # floor is the lowest polygon covering the centre without boundary there.
    cell_pos = np.searchsorted(leaf_cells, pair_cell)
    cx, cy = grid.centres(lgx, lgy, 0)
    marked_key = cell_pos.astype(np.int64) * n_p + pair_poly
    floor, unsure = locate_clear(intervals, cx, cy)
    floor[in_sorted(np.arange(cx.size) * n_p + floor, marked_key)] = -1
    sel = np.flatnonzero(unsure)
    n_unsure += sel.size
    pi, gi = tree.query(shapely.points(cx[sel], cy[sel]), predicate="intersects")
    hit_key = sel[pi].astype(np.int64) * n_p + gi
    free_hit = ~in_sorted(hit_key, marked_key)
    floor[sel] = first_hit_per_point(
        pi[free_hit].astype(np.int64), gi[free_hit].astype(np.int64), sel.size
    )
    del marked_key, pair_cell
    keep = pair_poly < np.where(floor >= 0, floor, _NO_POLY)[cell_pos]
    kept_cell = cell_pos[keep]
    del cell_pos
    kept_counts = np.bincount(kept_cell, minlength=leaf_cells.size)
    # Lists one after the other, each closed by its terminator: the k-th kept
    # pair lands at k + (number of lists closed before it).
    ends = np.cumsum(kept_counts) + np.arange(leaf_cells.size)
    starts = ends - kept_counts
    dtype = np.uint16 if n + 1 < np.iinfo(np.uint16).max else np.int32
    cand: npt.NDArray[np.integer[Any]] = np.empty(
        int(ends[-1]) + 1 if ends.size else 0, dtype=dtype
    )
    cand[ends] = np.where(floor >= 0, n + 1, n)
    cand[np.arange(kept_cell.size) + kept_cell] = pair_poly[keep]
    del kept_cell, keep, pair_poly
    has_floor = floor >= 0
    leaf_level = levels[depth]
    for lo in range(0, leaf_level.size, CHILDREN_PER_BATCH):
        part = leaf_level[lo : lo + CHILDREN_PER_BATCH]
        border_slot = part <= -2
        part[border_slot] = (-2 - starts[-2 - part[border_slot]]).astype(np.int32)

    index = PointIndex(
        grid=grid,
        levels=levels,
        cand=cand,
        floor_at=ends[has_floor].astype(np.int64),
        floor=floor[has_floor].astype(np.int32),
        n_polys=n,
        fingerprint=fingerprint(geoms),
        _polys=geoms,
    )
    log.info(
        "point index: %d polygons, %d levels, %d border leaves (%d cells sent to GEOS), "
        "%.1f MB, built in %.1f s",
        n,
        depth + 1,
        leaf_cells.size,
        n_unsure,
        index.nbytes() / 1e6,
        time.perf_counter() - t0,
    )
    return index


def load_or_build(folder: str | Path, polys: Sequence[Any] | GeomArray, **build: Any) -> PointIndex:
    """The index saved in ``folder`` if it was built from exactly ``polys``, else a
    fresh one (built with ``build`` keyword arguments and saved there).

    Parameters
    ----------
    folder : path
        Where the index lives (e.g. ``<store>/pointindex_communes``).
    polys : sequence of shapely geometries
        The polygons, in the order whose indexes the caller will use.
    **build
        Passed to :func:`build_index`.
    """
    folder = Path(folder)
    geoms = _as_geom_array(polys)
    if (folder / INDEX_FILE).is_file():
        try:
            index = PointIndex.load(folder)
        except (ValueError, KeyError, OSError) as exc:
            log.info("point index in %s unusable (%s): rebuilding", folder, exc)
        else:
            if index.fingerprint == fingerprint(geoms):
                index._polys = geoms
                shapely.prepare(geoms)
                return index
            log.info("point index in %s is stale: rebuilding", folder)
    index = build_index(geoms, **build)
    index.save(folder)
    return index
