"""Building a :class:`~zoning.pointindex.query.PointIndex` (see :mod:`zoning.pointindex`)."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from zoning.pointindex.bands import build_bands
from zoning.pointindex.exact import (
    FloatArray,
    GeomArray,
    IntArray,
    as_geom_array,
    assign_exact,
    first_hit_per_point,
    flat_parts,
    in_sorted,
    run_starts,
    search,
    sorted_unique,
)
from zoning.pointindex.grid import CELL_BITS, CELL_MASK, GridSpec, make_grid
from zoning.pointindex.parallel import map_on_cores
from zoning.pointindex.query import PointIndex
from zoning.pointindex.scanline import build_row_intervals, locate_clear
from zoning.pointindex.storage import fingerprint

log = logging.getLogger(__name__)

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
    nmax = grid.nx0 << grid.top_shift
    nymax = grid.ny0 << grid.top_shift
    batches: list[tuple[int, int]] = []
    seg_lo = 0
    while seg_lo < x1.size:
        seg_hi = int(np.searchsorted(ends, starts[seg_lo] + PIECES_PER_BATCH, side="right"))
        seg_hi = max(seg_hi, seg_lo + 1)
        batches.append((seg_lo, seg_hi))
        seg_lo = seg_hi

    def batch_keys(bounds: tuple[int, int]) -> IntArray:
        seg_lo, seg_hi = bounds
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
        keys: list[IntArray] = []
        for i in range(span_x):
            for j in range(span_y):
                gx = lo_x + i
                gy = lo_y + j
                ok = (
                    (gx <= hi_x) & (gy <= hi_y) & (gx >= 0) & (gy >= 0) & (gx < nmax) & (gy < nymax)
                )
                keys.append(sorted_unique(((gx[ok] << CELL_BITS) | gy[ok]) * n_polys + poly[ok]))
        return sorted_unique(np.concatenate(keys), runs=True)

    keys = map_on_cores(batch_keys, batches)
    return sorted_unique(np.concatenate(keys), runs=True) if keys else np.zeros(0, dtype=np.int64)


@functools.cache
def _free_groups(side: int) -> npt.NDArray[np.int8] | None:
    """For a block of ``side * side`` children, child ``s`` at ``(s // side, s % side)``:
    for every set of free children (bit ``s`` of the row number: child ``s`` is free),
    the smallest child of the group each free child belongs to, children that share an
    edge being in one group. ``None`` when the table would be too large (over 16
    children).

    Why one answer serves a whole group: two free cells sharing an edge hold no
    boundary (not even on that edge: a boundary there marks both), so the segment
    between their centres crosses none, and the polygons covering one centre cover
    the other.
    """
    cells = side * side
    if cells > 16:
        return None
    free = (np.arange(1 << cells)[:, None] >> np.arange(cells)) & 1 == 1
    group = np.where(free, np.arange(cells, dtype=np.int8), np.int8(cells))
    edges = [(c, c + side) for c in range(cells - side)]  # next column
    edges += [(c, c + 1) for c in range(cells) if c % side != side - 1]  # next row
    changed = True
    while changed:  # at most ``cells`` rounds: a group's smallest child spreads
        changed = False
        for a, b in edges:
            low = np.minimum(group[:, a], group[:, b])
            moved = free[:, a] & free[:, b] & ((low != group[:, a]) | (low != group[:, b]))
            if moved.any():
                changed = True
                group[moved, a] = low[moved]
                group[moved, b] = low[moved]
    return group


def _first_of_group(free: npt.NDArray[np.bool_], side: int) -> IntArray | None:
    """For children laid out block after block (``side * side`` each), the position of
    the first child of each free child's group (see :func:`_free_groups`); ``None``
    when blocks are too large to be grouped."""
    groups = _free_groups(side)
    if groups is None:
        return None
    cells = side * side
    bits = np.packbits(free.reshape(-1, cells), axis=1, bitorder="little")
    masks = bits.view("<u2" if cells > 8 else "u1").reshape(-1)
    base = np.arange(masks.size, dtype=np.int64)[:, None] * cells
    # numpy's stubs type indexing by an array of another dtype as Any.
    first: IntArray = (base + groups[masks]).reshape(-1)
    return first


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
        to the exact test; the index of all French communes is then ~330 MB, of
        NA alone 45 MB (1/1024: grid arrays about half, twice the points to test).
    branch_bits : int
        Each level splits a cell into ``2**branch_bits`` cells per side.
    top_deg : float
        Approximate top cell size in degrees.

    Returns
    -------
    PointIndex
    """
    t0 = time.perf_counter()
    geoms = as_geom_array(polys)
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
    pair_cell = pairs // n_p  # sorted, as the pairs are
    new_cell = run_starts(pair_cell)
    leaf_cells = pair_cell[new_cell]  # key (gx << CELL_BITS | gy), sorted
    cell_pos = np.cumsum(new_cell) - 1  # leaf of each pair
    del pair_cell, new_cell
    pair_poly = (pairs % n_p).astype(np.int32)
    del pairs
    lgx, lgy = leaf_cells >> CELL_BITS, leaf_cells & CELL_MASK

    bits, depth = branch_bits, grid.depth
    side = 1 << bits
    # Border cells of each level, as sorted keys (gx << CELL_BITS | gy) at that level:
    # the parents of the border cells of the level below.
    border: list[IntArray] = [leaf_cells]
    for _ in range(depth):
        finer = border[0]
        parent_gx, parent_gy = (finer >> CELL_BITS) >> bits, (finer & CELL_MASK) >> bits
        border.insert(0, sorted_unique((parent_gx << CELL_BITS) | parent_gy))

    # Boundary-free cells take the answer at their centre. Centres are clear of
    # every boundary (or, for border leaves, of the non-candidate ones), so the
    # scanline test settles nearly all; GEOS settles the rest. Rows first: the
    # centre latitudes of every cell that will need a label.
    row_parts = [grid.centres(np.zeros(grid.ny0, np.int64), np.arange(grid.ny0), grid.top_shift)[1]]
    for level in range(1, depth + 1):
        pgy = sorted_unique(border[level - 1] & CELL_MASK)
        cgy = ((pgy[:, None] << bits) | np.arange(side)[None, :]).ravel()
        row_parts.append(grid.centres(np.zeros(cgy.size, np.int64), cgy, bits * (depth - level))[1])
    valid = shapely.is_valid(geoms)
    intervals = build_row_intervals(geoms, np.concatenate(row_parts), valid)
    del row_parts
    n_unsure = 0
    counting = threading.Lock()

    def label(cx: FloatArray, cy: FloatArray) -> npt.NDArray[np.int32]:
        nonlocal n_unsure
        lab, unsure = locate_clear(intervals, cx, cy)
        if unsure.any():
            lab[unsure] = assign_exact(geoms, cx[unsure], cy[unsure], tree=tree)
            with counting:
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
    # Parents in batches: children arrays are the build's largest temporaries.
    step = max(1, CHILDREN_PER_BATCH // (side * side))

    def fill(
        vals: npt.NDArray[np.int32], parents: IntArray, here: IntArray, level: int, lo: int
    ) -> None:
        """The children of the batch of parents starting at ``lo``, in their own slice
        of ``vals``: batches never share one, so they run on every core."""
        pk = parents[lo : lo + step]
        pgx, pgy = pk >> CELL_BITS, pk & CELL_MASK
        cgx = ((pgx[:, None] << bits) | (sub[None, :] >> bits)).ravel()
        cgy = ((pgy[:, None] << bits) | (sub[None, :] & (side - 1))).ravel()
        ckey = (cgx << CELL_BITS) | cgy
        pos = search(here, ckey)
        is_b = here[np.minimum(pos, here.size - 1)] == ckey
        out = vals[lo * side * side : (lo + pk.size) * side * side]
        out[is_b] = -2 - pos[is_b].astype(np.int32)
        free = np.flatnonzero(~is_b)
        # One centre per group of free children that touch (see _free_groups): the
        # others take its answer.
        first = _first_of_group(~is_b, side)
        asked = free if first is None else free[first[free] == free]
        out[asked] = label(*grid.centres(cgx[asked], cgy[asked], bits * (depth - level)))
        if first is not None:
            out[free] = out[first[free]]

    for level in range(1, depth + 1):
        parents = border[level - 1]
        vals = np.full(parents.size * side * side, -1, dtype=np.int32)
        map_on_cores(
            functools.partial(fill, vals, parents, border[level], level),
            range(0, parents.size, step),
        )
        levels.append(vals)

    # Border leaves: candidates are the polygons with boundary in the leaf; the
    # floor is the lowest polygon covering the centre without boundary there.
    cx, cy = grid.centres(lgx, lgy, 0)
    marked_key = cell_pos.astype(np.int64) * n_p + pair_poly
    floor, unsure = locate_clear(intervals, cx, cy)
    # A leaf's own candidates are not its floor (a leaf's pairs are contiguous).
    floor[cell_pos[pair_poly == floor[cell_pos]]] = -1
    sel = np.flatnonzero(unsure)
    n_unsure += sel.size
    pi, gi = tree.query(shapely.points(cx[sel], cy[sel]), predicate="intersects")
    hit_key = sel[pi].astype(np.int64) * n_p + gi
    free_hit = ~in_sorted(hit_key, marked_key)
    floor[sel] = first_hit_per_point(
        pi[free_hit].astype(np.int64), gi[free_hit].astype(np.int64), sel.size
    )
    del marked_key
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
        bands=build_bands(geoms, valid),
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
