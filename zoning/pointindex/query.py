"""The point index itself (:class:`PointIndex`) and its query.

A query walks the grid levels with integer arithmetic only, then tests the points of
border leaves candidate by candidate, on the polygon's edges of the point's latitude
(:mod:`zoning.pointindex.bands`), or with GEOS where that cannot be sure. Polygons of a
loaded index are decoded from their WKB one at a time, the first time GEOS needs them,
so a run that touches a few hundred communes never decodes the 35 000 of France, and
one the bands settle whole never imports shapely (~20 ms of a cold ``zoning check``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from zoning.pointindex.bands import EdgeBands
from zoning.pointindex.exact import FloatArray, GeomArray, IntArray, as_coords, sorted_unique
from zoning.pointindex.grid import GridSpec, Int32Array
from zoning.pointindex.storage import open_index, write_index

#: Up to this many points, :meth:`PointIndex.assign` walks the grid in Python integers.
_FEW = 8


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
    bands : EdgeBands, optional
        The polygons' edges by band of latitude, for the exact test without GEOS
        (an index saved before they existed has none: GEOS tests every point).
    """

    grid: GridSpec
    levels: list[npt.NDArray[np.int32]]
    cand: npt.NDArray[np.integer[Any]]
    floor_at: npt.NDArray[np.int64]
    floor: npt.NDArray[np.int32]
    n_polys: int
    fingerprint: str
    bands: EdgeBands | None = field(default=None, repr=False)
    _polys: GeomArray | None = field(default=None, repr=False)
    #: WKB of every polygon (memory-mapped offsets and bytes) of a loaded index.
    _wkb: tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]] | None = field(
        default=None, repr=False
    )
    _decoded: GeomArray | None = field(default=None, repr=False)
    #: Which polygons of ``_decoded`` are decoded (an empty polygon stays ``None``).
    _ready: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=bool), repr=False, compare=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _geos_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    # -- polygons ----------------------------------------------------------------
    @property
    def polys(self) -> GeomArray:
        """The indexed polygons, all of them (decoded on first use after a load)."""
        if self._polys is None:
            if self._wkb is None:
                raise RuntimeError("PointIndex has neither polygons nor WKB to read them from")
            polys = self.geometries(np.arange(self.n_polys))
            self._polys = polys
        return self._polys

    def geometries(self, ids: npt.NDArray[np.integer[Any]]) -> GeomArray:
        """Prepared polygons ``ids`` (any order, repeats allowed), decoding only those
        not decoded yet.

        Thread-safe: decoding and preparing happen under a lock, and a polygon is
        visible to other threads only once prepared (GEOS must not prepare a geometry
        another thread is testing).
        """
        # numpy's stubs type fancy indexing of an object array as Any: typed locals.
        if self._polys is not None:
            picked: GeomArray = self._polys[ids]
            return picked
        if self._wkb is None:
            raise RuntimeError("PointIndex has neither polygons nor WKB to read them from")
        if self._decoded is None:
            with self._lock:
                if self._decoded is None:
                    self._ready = np.zeros(self.n_polys, dtype=bool)
                    self._decoded = np.full(self.n_polys, None, dtype=object)
        decoded, ready = self._decoded, self._ready
        wanted = sorted_unique(np.asarray(ids, dtype=np.int64))
        if wanted.size and not ready[wanted].all():
            import shapely

            with self._lock:
                missing = wanted[~ready[wanted]]
                offsets, blob = self._wkb
                # Python ints and memoryview slices: half the time of numpy's per item.
                mapped = blob.data
                wkb = np.empty(missing.size, dtype=object)
                wkb[:] = [
                    mapped[a:b].tobytes() if b > a else None
                    for a, b in zip(
                        offsets[missing].tolist(), offsets[missing + 1].tolist(), strict=True
                    )
                ]
                geoms = np.asarray(shapely.from_wkb(wkb), dtype=object)
                shapely.prepare(geoms)
                decoded[missing] = geoms
                ready[missing] = True  # after the geometries: never one not yet prepared
        found: GeomArray = decoded[ids]
        return found

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
        x, y = as_coords(lon, lat)
        if x.size <= _FEW:
            return self._assign_few(x, y)
        out = np.full(x.size, -1, dtype=np.int64)
        at, leaf = self._walk(*self.grid.leaf_cells(x, y), out)
        if at.size:
            out[at] = self._assign_border(x[at], y[at], leaf)
        return out

    def _walk(
        self, at: npt.NDArray[np.integer[Any]], gx: Int32Array, gy: Int32Array, out: IntArray
    ) -> tuple[npt.NDArray[np.integer[Any]], IntArray]:
        """Walk the levels down for the points ``at`` (leaf coordinates ``gx, gy``),
        writing into ``out`` those a cell settles; return the others and their border
        leaf (position of its candidate list in ``cand``), whose ``out`` is to be
        written by the caller.

        int32 all the way: half the memory traffic of int64 (values < 2**31: leaf
        coordinates < 2**CELL_BITS, level arrays < 2**31 cells). Lookups are ``take``:
        indexing with int32 positions goes through numpy's general, slower path.
        """
        g = self.grid
        step = 2 * g.branch_bits
        low = (1 << step) - 1
        shift = step * g.depth
        path = g.child_path(gx, gy)
        v = self.levels[0].take((gx >> g.top_shift) * np.int32(g.ny0) + (gy >> g.top_shift))
        for level in range(1, g.depth + 1):
            todo = v <= -2
            shift -= step
            carried = 4 * np.count_nonzero(todo) >= 3 * v.size
            if carried:
                # Few settled (the top levels of a tiling): carrying them along with
                # their value costs less than compacting three arrays.
                block = np.where(todo, -2 - v, 0)
            else:
                # A quarter or more settled: write every value, the pending ones
                # included (a later level overwrites them), and keep only the pending.
                # One plain scatter and integer takes cost a third of boolean selections.
                out[at] = v
                keep = np.flatnonzero(todo)
                at, path, v = at[keep], path[keep], v[keep]
                block = -2 - v
            below = self.levels[level].take((block << step) | ((path >> shift) & low))
            v = np.where(todo, below, v) if carried else below
        out[at] = v
        keep = np.flatnonzero(v <= -2)
        return at[keep], (-2 - v[keep]).astype(np.int64)

    def _assign_few(self, x: FloatArray, y: FloatArray) -> IntArray:
        """:meth:`assign` for a handful of points, walked in plain Python integers: for
        one point, numpy's per-call overhead is ten times the walk itself."""
        g = self.grid
        inv = 1.0 / g.leaf_deg
        nxl, nyl = g.nx0 << g.top_shift, g.ny0 << g.top_shift
        bits, mask = g.branch_bits, (1 << g.branch_bits) - 1
        out = np.full(x.size, -1, dtype=np.int64)
        border: list[tuple[int, int]] = []  # (point, leaf)
        for i, (px, py) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
            # The same float64 arithmetic as :meth:`GridSpec.leaf_cells`; bounds checked on
            # the float (NaN fails them), as a huge one (« 1e308 ») has no floor.
            cx, cy = (px - g.x0) * inv, (py - g.y0) * inv
            if not (0 <= cx < nxl and 0 <= cy < nyl):
                continue
            fx, fy = math.floor(cx), math.floor(cy)
            shift = g.top_shift
            v = int(self.levels[0][(fx >> shift) * g.ny0 + (fy >> shift)])
            for level in range(1, g.depth + 1):
                if v > -2:
                    break
                shift -= bits
                local = (((fx >> shift) & mask) << bits) | ((fy >> shift) & mask)
                v = int(self.levels[level][((-2 - v) << (2 * bits)) | local])
            if v > -2:
                out[i] = v
            else:
                border.append((i, -2 - v))
        if border:
            at = np.array([i for i, _ in border], dtype=np.int64)
            leaf = np.array([lf for _, lf in border], dtype=np.int64)
            out[at] = self._assign_border(x[at], y[at], leaf)
        return out

    def _assign_border(self, x: FloatArray, y: FloatArray, leaf: IntArray) -> IntArray:
        """Exact test in border leaves, candidates in ascending order."""
        res = np.full(leaf.size, -1, dtype=np.int64)
        ptr = leaf.copy()
        # Points grouped by first candidate: each polygon's edges (or GEOS's index of
        # them) are read while in cache (~1.6x faster on France).
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
            hit = self._covers(c, x[pending], y[pending])
            res[pending[hit]] = c[hit]
            pending = pending[~hit]
            ptr[pending] += 1
        return res

    def _covers(self, poly: IntArray, x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
        """Whether polygon ``poly[i]`` covers point ``i``: by the edge bands, GEOS for
        what they leave unsure (or for every point, without bands)."""
        if self.bands is None:
            return self._geos_covers(poly, x, y)
        hit, unsure = self.bands.test(poly, x, y)
        if unsure.any():
            ask = np.flatnonzero(unsure)
            hit[ask] = self._geos_covers(poly[ask], x[ask], y[ask])
        return hit

    def _geos_covers(self, poly: IntArray, x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
        """:meth:`_covers` by GEOS (``intersects``, prepared polygons)."""
        import shapely

        geoms = self.geometries(poly)
        # GEOS prepared polygons keep mutable state inside their queries: two threads
        # testing the same polygon at once corrupt the heap (seen: « double free »,
        # « unaligned tcache chunk »). The edge bands need no lock; GEOS does.
        with self._geos_lock:
            return np.asarray(shapely.intersects_xy(geoms, x, y), dtype=bool)

    # -- persistence -------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the index into ``folder`` (the format: :mod:`zoning.pointindex.storage`).

        Returns
        -------
        pathlib.Path
            The folder written.
        """
        arrays: dict[str, npt.NDArray[Any]] = {f"level{i}": a for i, a in enumerate(self.levels)}
        arrays.update(cand=self.cand, floor_at=self.floor_at, floor=self.floor)
        if self.bands is not None:
            arrays.update({f"bands_{f}": getattr(self.bands, f) for f in EdgeBands.FIELDS})
        meta = {
            "grid": asdict(self.grid),
            "n_polys": self.n_polys,
            "fingerprint": self.fingerprint,
        }
        return write_index(folder, meta, arrays, self.polys)

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True) -> PointIndex:
        """Reopen an index written by :meth:`save` (memory-mapped, polygons lazy); a
        missing or incompatible folder raises as
        :func:`~zoning.pointindex.storage.open_index` says."""
        saved = open_index(folder, mmap)
        grid = GridSpec(**saved.meta["grid"])
        bands = (
            EdgeBands(**{f: saved.array(f"bands_{f}") for f in EdgeBands.FIELDS})
            if all(saved.has(f"bands_{f}") for f in EdgeBands.FIELDS)
            else None
        )
        return cls(
            grid=grid,
            levels=[saved.array(f"level{i}") for i in range(grid.depth + 1)],
            cand=saved.array("cand"),
            floor_at=saved.array("floor_at"),
            floor=saved.array("floor"),
            n_polys=int(saved.meta["n_polys"]),
            fingerprint=str(saved.meta["fingerprint"]),
            bands=bands,
            _wkb=saved.wkb(),
        )

    def nbytes(self) -> int:
        """Bytes of the index arrays (polygons excluded)."""
        bands = self.bands
        return int(
            sum(a.nbytes for a in self.levels)
            + self.cand.nbytes
            + self.floor_at.nbytes
            + self.floor.nbytes
            + (0 if bands is None else sum(getattr(bands, f).nbytes for f in bands.FIELDS))
        )
