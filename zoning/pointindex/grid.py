"""Geometry of the hierarchical grid: cell addresses computed the same way at build and
query time (see :mod:`zoning.pointindex`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from zoning.pointindex.exact import FloatArray, IntArray

#: Bits per axis of a leaf cell key: 2**20 leaves of 1/1024 degree span 1024 degrees.
CELL_BITS = 20
CELL_MASK = (1 << CELL_BITS) - 1

Int32Array = npt.NDArray[np.int32]


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

    def leaf_cells(
        self, x: FloatArray, y: FloatArray
    ) -> tuple[npt.NDArray[np.integer[Any]], Int32Array, Int32Array]:
        """The points inside the grid (their positions) and their leaf coordinates.

        The arithmetic is the build's (``floor((x - x0) / leaf)`` in float64): a point
        falls in the leaf the build marked for it.
        """
        inv = 1.0 / self.leaf_deg
        nxl = float(self.nx0 << self.top_shift)
        nyl = float(self.ny0 << self.top_shift)
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN are rejected below
            fx = np.subtract(x, self.x0)
            fx *= inv
            fy = np.subtract(y, self.y0)
            fy *= inv
            # NaN compares False, so non-finite points are outside too.
            inside = (fx >= 0) & (fx < nxl) & (fy >= 0) & (fy < nyl)
        kind = np.int32 if x.size < 2**31 else np.int64
        at: npt.NDArray[np.integer[Any]]
        if inside.all():  # the usual case: no selection to make
            at = np.arange(x.size, dtype=kind)
        else:
            at = np.flatnonzero(inside).astype(kind)
            fx, fy = fx[at], fy[at]
        # Truncation is the floor here: every coordinate kept is >= 0.
        return at, fx.astype(np.int32), fy.astype(np.int32)

    @cached_property
    def _spread(self) -> npt.NDArray[np.int64]:
        """``_spread[a]``: group ``j`` of ``branch_bits`` bits of ``a`` (the cell taken
        at level ``depth - j``) moved to bit ``2 * branch_bits * j``."""
        b, mask = self.branch_bits, (1 << self.branch_bits) - 1
        a = np.arange(1 << (b * self.depth), dtype=np.int64)
        out = np.zeros_like(a)
        for j in range(self.depth):
            out |= ((a >> (b * j)) & mask) << (2 * b * j)
        return out.astype(np.int32) if 2 * b * self.depth < 31 else out

    def child_path(self, gx: Int32Array, gy: Int32Array) -> npt.NDArray[np.integer[Any]]:
        """The cell taken at each level below the top, for leaves ``gx, gy``: level
        ``L``'s ``(dx << branch_bits) | dy`` in bits ``2 * branch_bits * (depth - L)``
        and up, so that a level reads its own with one shift and one mask."""
        low = (1 << self.top_shift) - 1
        spread = self._spread
        return (spread.take(gx & low) << self.branch_bits) | spread.take(gy & low)

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
