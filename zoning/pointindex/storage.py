"""Saving and reopening a :class:`~zoning.pointindex.query.PointIndex`.

A saved index is a folder: ``pointindex.json`` (format, grid, fingerprint), one ``.npy``
file per array (memory-mapped on load: opening costs nothing, pages are read as
queries touch them) and the polygons as WKB (one byte array plus offsets, decoded
polygon by polygon when a query first needs one).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from zoning.pointindex.bands import EdgeBands
from zoning.pointindex.exact import GeomArray, as_geom_array
from zoning.pointindex.grid import GridSpec
from zoning.pointindex.query import PointIndex

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
INDEX_FILE = "pointindex.json"


def save_index(index: PointIndex, folder: str | Path) -> Path:
    """Write ``index`` into ``folder`` (``pointindex.json`` + ``.npy`` files).

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, npt.NDArray[Any]] = {f"level{i}": a for i, a in enumerate(index.levels)}
    arrays.update(cand=index.cand, floor_at=index.floor_at, floor=index.floor)
    if index.bands is not None:
        arrays.update({f"bands_{f}": getattr(index.bands, f) for f in EdgeBands.FIELDS})
    for name, arr in arrays.items():
        np.save(folder / f"pointindex_{name}.npy", np.ascontiguousarray(arr))
    _write_wkb(folder, index.polys)
    meta = {
        "format": FORMAT_VERSION,
        "grid": dataclasses.asdict(index.grid),
        "n_polys": index.n_polys,
        "fingerprint": index.fingerprint,
        "arrays": sorted(arrays),
    }
    (folder / INDEX_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return folder


def load_index(folder: str | Path, mmap: bool = True) -> PointIndex:
    """Reopen an index written by :func:`save_index` (memory-mapped, polygons lazy).

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
        # A plain ndarray view of the map: numpy.memmap's subclass hooks cost more than
        # the lookup itself when one point is asked at a time (the web API).
        return np.asarray(np.load(path, mmap_mode="r")) if mmap else np.load(path)

    grid = GridSpec(**meta["grid"])
    saved = set(meta.get("arrays", ()))
    bands = (
        EdgeBands(**{f: arr(f"bands_{f}") for f in EdgeBands.FIELDS})
        if all(f"bands_{f}" in saved for f in EdgeBands.FIELDS)
        else None
    )
    return PointIndex(
        grid=grid,
        levels=[arr(f"level{i}") for i in range(grid.depth + 1)],
        cand=arr("cand"),
        floor_at=arr("floor_at"),
        floor=arr("floor"),
        n_polys=int(meta["n_polys"]),
        fingerprint=str(meta["fingerprint"]),
        bands=bands,
        _wkb=(np.asarray(arr("wkb_offsets"), dtype=np.int64), arr("wkb")),
    )


def _write_wkb(folder: Path, polys: GeomArray) -> None:
    import shapely

    wkb = shapely.to_wkb(polys)
    sizes = np.array([len(b) if b is not None else 0 for b in wkb], dtype=np.int64)
    blob = b"".join(b for b in wkb if b is not None)
    np.save(folder / "pointindex_wkb_offsets.npy", np.concatenate([[0], np.cumsum(sizes)]))
    np.save(folder / "pointindex_wkb.npy", np.frombuffer(blob, dtype=np.uint8))


def fingerprint(polys: Sequence[Any] | GeomArray) -> str:
    """SHA-256 of the polygons' WKB, to tell whether a saved index still fits."""
    import hashlib  # here and below: opening an index for a query never computes one

    import shapely

    h = hashlib.sha256()
    for b in shapely.to_wkb(as_geom_array(polys)):
        h.update(b if b is not None else b"\0")
    return h.hexdigest()


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
    import shapely

    from zoning.pointindex.build import build_index

    folder = Path(folder)
    geoms = as_geom_array(polys)
    if (folder / INDEX_FILE).is_file():
        try:
            index = load_index(folder)
        except (ValueError, KeyError, OSError) as exc:
            log.info("point index in %s unusable (%s): rebuilding", folder, exc)
        else:
            if index.fingerprint == fingerprint(geoms):
                index._polys = geoms
                shapely.prepare(geoms)
                return index
            log.info("point index in %s is stale: rebuilding", folder)
    index = build_index(geoms, **build)
    save_index(index, folder)
    return index
