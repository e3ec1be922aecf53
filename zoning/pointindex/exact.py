"""The reference answer (:func:`assign_exact`) and the array helpers every part shares.

The question answered everywhere in :mod:`zoning.pointindex`: for every point, the
lowest index of the polygons that *cover* it (a point on a boundary counts), or ``-1``
when none does. :func:`assign_exact` answers it the slow, obviously right way (an
``STRtree`` query); the index answers the same thing faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import shapely

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
GeomArray = npt.NDArray[np.object_]


def as_geom_array(polys: Sequence[Any] | GeomArray) -> GeomArray:
    arr = np.asarray(polys, dtype=object)
    if arr.ndim != 1:
        raise ValueError("polys must be a one-dimensional sequence of shapely geometries")
    return arr


def as_coords(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    y = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in length ({x.size} != {y.size})")
    return x, y


def sorted_unique(a: npt.NDArray[Any], runs: bool = False) -> npt.NDArray[Any]:
    """Sorted distinct values (sort-based: numpy's hash-based ``unique`` is far slower here).

    ``runs``: ``a`` is sorted arrays one after the other. Timsort (numpy's stable sort)
    merges them in half the time of the default sort, but takes five times as long on
    values in no order.
    """
    a = np.sort(a, kind="stable" if runs or a.dtype.kind == "f" else None)
    return a[run_starts(a)]


def run_starts(a: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Where each run of equal values of a sorted array starts (its distinct values)."""
    starts = np.empty(a.size, dtype=bool)
    starts[:1] = True
    np.not_equal(a[1:], a[:-1], out=starts[1:])
    return starts


def search(
    sorted_array: npt.NDArray[Any],
    values: npt.NDArray[Any],
    side: Literal["left", "right"] = "left",
) -> IntArray:
    """``np.searchsorted`` for values in any order, with the values sorted first.

    numpy's binary search starts from the previous answer when the values ascend, so
    sorted values walk the array once, in cache; in random order each one misses the
    cache all the way down (on tens of millions of keys, ~10x slower than the sort).
    """
    if values.size < 2:
        return np.searchsorted(sorted_array, values, side=side)
    order = np.argsort(values, kind="stable")
    out = np.empty(values.size, dtype=np.intp)
    out[order] = np.searchsorted(sorted_array, values[order], side=side)
    return out


def in_sorted(values: npt.NDArray[Any], sorted_set: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Membership of ``values`` in an already sorted array."""
    if not sorted_set.size:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(search(sorted_set, values), sorted_set.size - 1)
    # numpy's stubs type a comparison of ``Any``-dtype arrays as Any.
    member: npt.NDArray[np.bool_] = sorted_set[pos] == values
    return member


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
    import shapely

    x, y = as_coords(lon, lat)
    geoms = as_geom_array(polys)
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
    import shapely

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


def ring_vertices(geoms: GeomArray) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
    """Vertices of the rings of every polygonal part of ``geoms``, ring after ring.

    Returns
    -------
    xy, ring, part, owner : numpy.ndarray
        ``(n, 2)`` vertices; the ring of each vertex (an edge joins ``e`` and ``e + 1``
        where both have the same ring); the polygonal part of each ring (ascending);
        the polygon (index in ``geoms``) of each polygonal part (ascending).
    """
    import shapely

    parts, part_of = flat_parts(geoms)
    polygonal = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polygonal], return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    return xy, ring.astype(np.int64), ring_part.astype(np.int64), part_of[polygonal]
