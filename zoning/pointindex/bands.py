"""The exact test in border leaves without GEOS: each polygon's edges in horizontal bands.

A point in a border leaf is tested against its candidate polygons one by one. GEOS
does it well but, for a few points per polygon, mostly pays for decoding the polygon
and indexing its edges, under a lock (its prepared polygons are not thread-safe).
Here the edges are indexed once, at build time: each polygon's vertical extent is cut
into bands of about :data:`EDGES_PER_BAND` edges, and each band lists the edges
whose vertical extent meets it. A test reads the edges of the point's band only, and
counts the crossings of a ray cast towards +x, vectorised over all the points asked.

Exact, and the same answer as GEOS (``intersects``: a point on the boundary is in):

* the band of a latitude is ``floor((y - y0) * inv)``, the same float64 arithmetic for
  points and edge ends, monotonic: an edge whose extent holds ``y`` is in ``y``'s band;
* crossings follow GEOS's ``RayCrossingCounter`` rule (an edge counts when one end is
  above the point and the other not, and the point is on its left going up), and the
  side is the sign of the orientation determinant, trusted only when Shewchuk's error
  bound proves it (``orient2d``'s first filter);
* whatever the rule cannot settle for sure is *unsure* and goes to GEOS: a point on
  the latitude of a vertex of the band (on a vertex or a horizontal edge, or merely
  level with one), a point too close to an edge for the sign to be proven, and every
  polygon that is not a valid ``Polygon`` or ``MultiPolygon`` (for those, GEOS's own
  rules decide).

For a valid polygon the crossing parity over all its rings is the answer (holes and
the parts of a multipolygon do not overlap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from zoning.pointindex.exact import FloatArray, GeomArray, IntArray, ring_vertices

#: Edges per band (about): fewer means more bands and edges listed in several of them;
#: more means more edges read per test. 4 reads ~7 edges per test on French communes.
EDGES_PER_BAND = 4
#: Shewchuk's ``ccwerrboundA``: ``|det| > ERRBOUND * (|left| + |right|)`` proves the
#: sign of ``det = left - right`` computed in float64 from float64 coordinates.
ERRBOUND = (3.0 + 16.0 * 2.0**-53) * 2.0**-53

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class EdgeBands:
    """Polygon edges sorted into horizontal bands, polygon by polygon.

    Attributes
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` float64 vertices of every ring, ring after ring.
    edge : numpy.ndarray
        ``int32`` edges, band after band: an edge goes from vertex ``e`` to ``e + 1``.
    start : numpy.ndarray
        ``int64`` position in ``edge`` of each band's first edge, plus the end.
    first : numpy.ndarray
        ``int64`` first band of each polygon; ``-1``: the polygon is left to GEOS.
    y0, inv : numpy.ndarray
        float64 per polygon: its band of latitude ``y`` is ``floor((y - y0) * inv)``,
        clipped to ``0 .. last``.
    last : numpy.ndarray
        ``int64`` last band of each polygon (its number of bands minus one).
    """

    xy: FloatArray
    edge: npt.NDArray[np.int32]
    start: IntArray
    first: IntArray
    y0: FloatArray
    inv: FloatArray
    last: IntArray

    #: Array names, as saved next to the point index.
    FIELDS: ClassVar[tuple[str, ...]] = ("xy", "edge", "start", "first", "y0", "inv", "last")

    def test(self, poly: IntArray, x: FloatArray, y: FloatArray) -> tuple[BoolArray, BoolArray]:
        """Whether polygon ``poly[i]`` covers point ``(x[i], y[i])``, for every ``i``.

        Returns
        -------
        covers, unsure : numpy.ndarray
            ``covers`` is exact where ``unsure`` is False; where it is True, ask GEOS.
        """
        first = self.first[poly]
        unsure = first < 0
        k = np.floor((y - self.y0[poly]) * self.inv[poly])
        np.clip(k, 0, self.last[poly], out=k)
        band = np.where(unsure, 0, first + k.astype(np.int64))
        lo = self.start[band]
        count = self.start[band + 1] - lo
        count[unsure] = 0
        # The edges of every point's band, one after the other, and whose point each is.
        owner = np.repeat(np.arange(poly.size), count)
        at = np.arange(owner.size) + np.repeat(lo - (np.cumsum(count) - count), count)
        v = self.edge.take(at)
        a, b = self.xy.take(v, axis=0), self.xy.take(v + 1, axis=0)
        px, py = x.take(owner), y.take(owner)
        dxa, dya = a[:, 0] - px, a[:, 1] - py
        dxb, dyb = b[:, 0] - px, b[:, 1] - py
        left, right = dxa * dyb, dya * dxb
        det = left - right  # orient2d(a, b, point): > 0 when the point is left of a -> b
        sure = np.abs(det) > ERRBOUND * (np.abs(left) + np.abs(right))
        above_b = dyb > 0
        across = (dya > 0) != above_b
        # GEOS skips edges wholly left of the point (both ends strictly left).
        ahead = (dxa >= 0) | (dxb >= 0)
        # Going up (b above), the edge counts when the point is on its left (det > 0);
        # going down, when it is on its right.
        crossing = ahead & across & sure & ((det > 0) == above_b)
        doubt = ahead & ((dya == 0) | (dyb == 0) | (across & ~sure))
        crossings = np.bincount(owner, weights=crossing, minlength=poly.size)
        doubts = np.bincount(owner, weights=doubt, minlength=poly.size)
        return crossings % 2 == 1, unsure | (doubts > 0)


def build_bands(geoms: GeomArray, valid: BoolArray, per_band: int = EDGES_PER_BAND) -> EdgeBands:
    """Band the ring edges of every valid ``Polygon`` / ``MultiPolygon`` of ``geoms``.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        The polygons, in index order.
    valid : numpy.ndarray of bool
        ``shapely.is_valid(geoms)``: the others are left to GEOS.
    per_band : int
        Edges per band, about.
    """
    import shapely

    n = geoms.size
    kind = shapely.get_type_id(geoms)
    banded = valid & ((kind == 3) | (kind == 6))
    kept = geoms.copy()
    kept[~banded] = None
    xy, ring, ring_part, part_owner = ring_vertices(kept)
    if xy.shape[0] >= 2**31:
        raise ValueError("too many vertices for int32 edge numbers")
    owner_of_ring = part_owner[ring_part]
    edge = np.flatnonzero(ring[1:] == ring[:-1])  # from vertex e to e + 1, ring order
    owner = owner_of_ring[ring[edge]]  # ascending: parts come by owner, rings by part
    ya, yb = xy[edge, 1], xy[edge + 1, 1]
    ylo, yhi = np.minimum(ya, yb), np.maximum(ya, yb)
    n_edges = np.bincount(owner, minlength=n)
    has = n_edges > 0
    group = np.flatnonzero(np.append(True, owner[1:] != owner[:-1])) if owner.size else owner
    ymin = np.zeros(n)
    ymax = np.zeros(n)
    if owner.size:
        ymin[owner[group]] = np.minimum.reduceat(ylo, group)
        ymax[owner[group]] = np.maximum.reduceat(yhi, group)
    n_bands = np.where(has, np.maximum(1, -(-n_edges // per_band)), 0)
    span = ymax - ymin
    inv = np.where(span > 0, n_bands / np.where(span > 0, span, 1.0), 0.0)
    first = np.cumsum(n_bands) - n_bands
    last = np.maximum(n_bands - 1, 0)

    def band_of(lat: FloatArray) -> IntArray:
        k = np.floor((lat - ymin[owner]) * inv[owner])
        return np.clip(k, 0, last[owner]).astype(np.int64)

    lo, hi = band_of(ylo), band_of(yhi)
    copies = hi - lo + 1
    # Each edge once per band it meets: band keys ascend polygon by polygon.
    key = np.repeat(first[owner] + lo, copies)
    key += np.arange(key.size) - np.repeat(np.cumsum(copies) - copies, copies)
    order = np.argsort(key, kind="stable")
    total = int(n_bands.sum())
    start = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=total), out=start[1:])
    return EdgeBands(
        xy=np.ascontiguousarray(xy, dtype=np.float64),
        edge=np.repeat(edge, copies)[order].astype(np.int32),
        start=start,
        first=np.where(has, first, -1).astype(np.int64),
        y0=ymin,
        inv=inv,
        last=last.astype(np.int64),
    )
