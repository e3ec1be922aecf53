"""Fast, exact point-to-polygon assignment for large point sets (the point index).

A package of its own: it imports nothing else from :mod:`zoning`, and both the store
(which builds and saves indexes) and :mod:`zoning.locate` (which queries them) use it.
Modules: :mod:`~zoning.pointindex.exact` (the reference answer), ``grid``, ``build``,
``query`` (:class:`PointIndex`, its query, saving and loading), ``bands`` (the exact test
in border leaves), ``storage`` (the saved folder's format), ``cache`` (a saved index
reused while it fits), ``scanline``, ``parallel`` (batches on every core).

The question answered everywhere in this module is the one of the exact path
(:func:`~zoning.pointindex.exact.assign_exact`): for every point, the lowest index of the
polygons that *cover* it (a point on a boundary counts), or ``-1`` when none does.

:func:`build_index` answers it faster with a hierarchical grid (a quadtree with
``2**branch_bits`` cells per side and per level, on a power-of-two grid in
degrees). A cell that no polygon boundary touches is covered by the same
polygons all over, so it stores the exact answer for its centre; a cell that a
boundary touches is split again, down to the leaf level, where points are tested
exactly against the few polygons whose boundary crosses that leaf: a crossing count
on the edges of the point's latitude band (:mod:`zoning.pointindex.bands`), GEOS for
what that cannot prove.

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

Cell centres are labelled at build time by :mod:`zoning.pointindex.scanline`
(crossing numbers along rows, safe because a centre lies at least half a cell
from any boundary that matters); GEOS settles the few it reports unsure.

Memory (default leaf 1/2048 degree): the index of the 4 405 NA communes takes
45 MB, that of the 34 955 French communes (overseas included) 330 MB (edge bands: 8 and
50 MB); arrays are
memory-mapped by :meth:`PointIndex.load`. Building (its batches on every core) peaks
at ~0.7 GB (NA) and ~3.5 GB (France) of RSS. A query needs ~80 bytes per point of
temporaries, so
pass large inputs in chunks (:mod:`zoning.locate.stream` uses 1 M points).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from zoning.pointindex.exact import assign_exact, first_hit_per_point, flat_parts
from zoning.pointindex.grid import CELL_BITS, CELL_MASK, GridSpec, make_grid
from zoning.pointindex.query import PointIndex

if TYPE_CHECKING:
    from zoning.pointindex.build import DEFAULT_LEAF_DEG, EPS_DEG, build_index
    from zoning.pointindex.cache import load_or_build
    from zoning.pointindex.storage import FORMAT_VERSION, INDEX_FILE, fingerprint

#: Loaded on first use (PEP 562): a query needs neither the build (scanlines, thread
#: pools) nor the saving, and ``zoning assign`` starts that much sooner.
_LAZY = {
    "DEFAULT_LEAF_DEG": "build",
    "EPS_DEG": "build",
    "build_index": "build",
    "FORMAT_VERSION": "storage",
    "INDEX_FILE": "storage",
    "fingerprint": "storage",
    "load_or_build": "cache",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CELL_BITS",
    "CELL_MASK",
    "DEFAULT_LEAF_DEG",
    "EPS_DEG",
    "FORMAT_VERSION",
    "INDEX_FILE",
    "GridSpec",
    "PointIndex",
    "assign_exact",
    "build_index",
    "fingerprint",
    "first_hit_per_point",
    "flat_parts",
    "load_or_build",
    "make_grid",
]
