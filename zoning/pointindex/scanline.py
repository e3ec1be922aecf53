"""Point-in-polygon for points known to lie far from the boundaries, by scanlines.

Building a :class:`~zoning.pointindex.PointIndex` needs the answer at
millions of cell centres. Those centres are *clear*: no boundary of the polygons
that matter passes within half a cell of them. For such points the textbook
crossing-number test in floating point cannot go wrong (rounding is ~1e-13
degree, the clearance ~1e-4), and it vectorises by rows: along the horizontal
line through the point, each polygon is a set of intervals between consecutive
boundary crossings.

Whatever this module cannot settle for sure (two intervals reach the point,
odd crossing counts, invalid polygons nearby) is reported as *unsure*, and the
caller asks GEOS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from zoning.pointindex.exact import ring_vertices, search
from zoning.pointindex.parallel import map_on_cores

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Row stride of the combined sort key ``row * ROW_STRIDE + x + X_SHIFT``; the key
#: keeps ~1e-7 degree precision for 2**20 rows, far below the clearance.
ROW_STRIDE = 512.0
X_SHIFT = 256.0
#: Crossings generated per batch of polygons (bounds memory).
PAIRS_PER_BATCH = 4_000_000


@dataclass(frozen=True)
class RowIntervals:
    """Intervals covered by each polygon along a set of horizontal rows.

    Attributes
    ----------
    rows : numpy.ndarray
        Sorted distinct row latitudes.
    key_a, key_b : numpy.ndarray
        Start and end of each interval as ``row * ROW_STRIDE + x + X_SHIFT``,
        sorted by ``key_a``.
    prev_max : numpy.ndarray
        Largest ``key_b`` of the earlier intervals of the same row (``-inf`` first).
    poly : numpy.ndarray
        Polygon owning each interval (parity is counted per polygonal part).
    bad_rows : numpy.ndarray
        Rows where some polygon had an odd number of crossings (never trusted).
    unsure_boxes : numpy.ndarray
        ``(k, 4)`` bounds of polygons left out (invalid): points inside are unsure.
    """

    rows: FloatArray
    key_a: FloatArray
    key_b: FloatArray
    prev_max: FloatArray
    poly: IntArray
    bad_rows: BoolArray
    unsure_boxes: FloatArray


def _ring_edges(
    geoms: npt.NDArray[np.object_],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, IntArray]:
    """Non-horizontal ring edges of the polygonal parts, lower end first.

    Returns the edges' coordinates, the polygonal part of each edge (ascending)
    and the polygon owning each part. Parity is counted per part: parts of one
    collection may overlap, and two intervals reaching a point make it unsure.
    """
    coords, line, owner, part_owner = ring_vertices(geoms)
    same = line[1:] == line[:-1]
    xa, ya = coords[:-1, 0][same], coords[:-1, 1][same]
    xb, yb = coords[1:, 0][same], coords[1:, 1][same]
    own = owner[line[:-1][same]]
    # The two copies of a shared edge must give bit-identical crossings: compute
    # from the lower end whatever the ring orientation.
    swap = yb < ya
    x1, y1 = np.where(swap, xb, xa), np.where(swap, yb, ya)
    x2, y2 = np.where(swap, xa, xb), np.where(swap, ya, yb)
    keep = y2 > y1
    return x1[keep], y1[keep], x2[keep], y2[keep], own[keep], part_owner


def build_row_intervals(
    geoms: npt.NDArray[np.object_], rows: FloatArray, valid: BoolArray | None = None
) -> RowIntervals:
    """Intervals of every valid polygon of ``geoms`` along the rows ``rows``.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        The polygons; invalid ones are left out and their boxes made unsure.
    rows : numpy.ndarray
        Latitudes of the rows (any order, duplicates allowed).
    valid : numpy.ndarray of bool, optional
        ``shapely.is_valid(geoms)``, if the caller has it already.
    """
    rows = np.sort(rows)
    if rows.size:
        rows = rows[np.append(True, rows[1:] != rows[:-1])]
    if valid is None:
        valid = shapely.is_valid(geoms)
    valid = valid | shapely.is_missing(geoms)
    invalid = np.flatnonzero(~valid)
    unsure_boxes = shapely.bounds(geoms[invalid]).reshape(-1, 4)
    kept = geoms.copy()
    kept[~valid] = None
    x1, y1, x2, y2, own, part_owner = _ring_edges(kept)
    # Half-open rule y1 <= row < y2: a vertex on a row counts once, correctly.
    first = np.searchsorted(rows, y1, side="left")
    last = np.searchsorted(rows, y2, side="left")
    count = last - first
    cum = np.cumsum(count)
    batches: list[tuple[int, int]] = []
    lo = 0
    n_edges = x1.size
    while lo < n_edges:
        hi = int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + PAIRS_PER_BATCH, side="right"))
        # Whole parts per batch, so each (row, part) group is complete.
        hi = int(np.searchsorted(own, own[max(hi, lo + 1) - 1], side="right"))
        batches.append((lo, hi))
        lo = hi

    def batch_intervals(
        bounds: tuple[int, int],
    ) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
        """Interval keys (start, end), part, and the rows with odd crossings, of a batch."""
        lo, hi = bounds
        sl = slice(lo, hi)
        c = count[sl]
        e = np.repeat(np.arange(lo, hi), c)
        r = np.repeat(first[sl] - (np.cumsum(c) - c), c) + np.arange(e.size)
        y = rows[r]
        x = x1[e] + (y - y1[e]) * (x2[e] - x1[e]) / (y2[e] - y1[e])
        p = own[e]
        order = np.lexsort((x, p, r))
        r, x, p = r[order], x[order], p[order]
        grp_start = np.ones(r.size, dtype=bool)
        grp_start[1:] = (r[1:] != r[:-1]) | (p[1:] != p[:-1])
        starts = np.flatnonzero(grp_start)
        sizes = np.diff(np.append(starts, r.size))
        odd = sizes % 2 == 1
        rank = np.arange(r.size) - np.repeat(starts, sizes)
        opening = rank % 2 == 0
        closing = np.zeros_like(opening)
        closing[1:] = opening[:-1] & ~grp_start[1:]
        opening &= np.append(closing[1:], False)
        return (
            r[opening] * ROW_STRIDE + (x[opening] + X_SHIFT),
            r[closing] * ROW_STRIDE + (x[closing] + X_SHIFT),
            p[opening],
            r[starts[odd]],
        )

    done = map_on_cores(batch_intervals, batches)
    bad = np.zeros(rows.size, dtype=bool)
    for _, _, _, odd_rows in done:
        bad[odd_rows] = True
    if done:
        key_a = np.concatenate([d[0] for d in done])
        key_b = np.concatenate([d[1] for d in done])
        poly = np.concatenate([d[2] for d in done])
    else:
        key_a = key_b = np.zeros(0)
        poly = np.zeros(0, dtype=np.int64)
    order = np.argsort(key_a, kind="stable")
    key_a, key_b, poly = key_a[order], key_b[order], part_owner[poly[order]]
    row_of = np.floor(key_a / ROW_STRIDE)
    run = np.maximum.accumulate(key_b) if key_b.size else key_b
    prev_max = np.full(key_a.size, -np.inf)
    if key_a.size > 1:
        same_row = row_of[1:] == row_of[:-1]
        # The running max may come from an earlier row: those keys are smaller
        # than any key of this row, so they can never exceed a query here.
        prev_max[1:] = np.where(same_row, run[:-1], -np.inf)
    return RowIntervals(rows, key_a, key_b, prev_max, poly, bad, unsure_boxes)


def locate_clear(
    iv: RowIntervals, x: FloatArray, y: FloatArray, chunk: int = 1_000_000
) -> tuple[IntArray, BoolArray]:
    """Polygon containing each clear point, per the row intervals.

    Parameters
    ----------
    iv : RowIntervals
        Built on rows that include every ``y``.
    x, y : numpy.ndarray
        Points (``y`` must be one of ``iv.rows``).

    Returns
    -------
    poly : numpy.ndarray
        Polygon whose interval contains the point, or -1.
    unsure : numpy.ndarray
        Points whose answer must come from GEOS instead (several intervals
        reach them, bad row, or inside an invalid polygon's box).
    """
    if x.size > chunk:
        starts = range(0, x.size, chunk)

        def part(k: int) -> tuple[IntArray, BoolArray]:
            return locate_clear(iv, x[k : k + chunk], y[k : k + chunk], chunk)

        parts = map_on_cores(part, starts)
        return np.concatenate([p for p, _ in parts]), np.concatenate([u for _, u in parts])
    r = np.searchsorted(iv.rows, y)
    r_ok = (r < iv.rows.size) & (iv.rows[np.minimum(r, iv.rows.size - 1)] == y)
    q = r * ROW_STRIDE + (x + X_SHIFT)
    i = search(iv.key_a, q, side="right") - 1
    ic = np.maximum(i, 0)
    if iv.key_a.size:
        in_row = (i >= 0) & (np.floor(iv.key_a[ic] / ROW_STRIDE) == r)
        contains = in_row & (iv.key_b[ic] >= q)
        unsure = in_row & (iv.prev_max[ic] >= q)
        poly = np.where(contains, iv.poly[ic], -1)
    else:
        unsure = np.zeros(x.size, dtype=bool)
        poly = np.full(x.size, -1, dtype=np.int64)
    unsure |= ~r_ok
    unsure[r_ok] |= iv.bad_rows[r[r_ok]]
    if len(iv.unsure_boxes) <= 16:
        for bx0, by0, bx1, by1 in iv.unsure_boxes:
            unsure |= (x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1)
    else:
        boxes = shapely.STRtree(shapely.box(*iv.unsure_boxes.T))
        unsure[boxes.query(shapely.points(x, y))[0]] = True
    return poly.astype(np.int64), unsure
