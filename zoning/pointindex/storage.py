"""The folder a :class:`~zoning.pointindex.query.PointIndex` is saved in.

Only the format: which files, their names, the metadata; the index maps its fields to
arrays itself (:meth:`~zoning.pointindex.query.PointIndex.save` and ``load``), so this
module needs nothing of it. A saved index is a folder: ``pointindex.json`` (format, grid,
fingerprint), one ``.npy`` file per array (memory-mapped on load: opening costs nothing,
pages are read as queries touch them) and the polygons as WKB (one byte array plus offsets, decoded
polygon by polygon when a query first needs one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from zoning.pointindex.exact import GeomArray, as_geom_array

FORMAT_VERSION = 1
INDEX_FILE = "pointindex.json"


@dataclass(frozen=True)
class SavedIndex:
    """An index folder opened for reading: its metadata, then its arrays on demand."""

    folder: Path
    meta: dict[str, Any]
    mmap: bool = True

    def has(self, name: str) -> bool:
        """Whether the folder holds array ``name`` (older formats lack some)."""
        return name in self.meta.get("arrays", ())

    def array(self, name: str) -> npt.NDArray[Any]:
        """Array ``name``, memory-mapped unless the folder was opened with ``mmap=False``."""
        path = self.folder / f"pointindex_{name}.npy"
        # A plain ndarray view of the map: numpy.memmap's subclass hooks cost more than
        # the lookup itself when one point is asked at a time (the web API).
        if not self.mmap:
            loaded: npt.NDArray[Any] = np.load(path)
            return loaded
        return np.asarray(np.load(path, mmap_mode="r"))

    def wkb(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
        """The polygons' WKB: offsets (one more than polygons) and the bytes."""
        return np.asarray(self.array("wkb_offsets"), dtype=np.int64), self.array("wkb")


def write_index(
    folder: str | Path, meta: dict[str, Any], arrays: dict[str, npt.NDArray[Any]], polys: GeomArray
) -> Path:
    """Write an index into ``folder``: ``pointindex.json`` (``meta``, with the format and
    the array names), one ``.npy`` file per array and the polygons as WKB.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in arrays.items():
        np.save(folder / f"pointindex_{name}.npy", np.ascontiguousarray(arr))
    _write_wkb(folder, polys)
    meta = {"format": FORMAT_VERSION, **meta, "arrays": sorted(arrays)}
    (folder / INDEX_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return folder


def open_index(folder: str | Path, mmap: bool = True) -> SavedIndex:
    """Open an index folder written by :func:`write_index` (arrays are read on demand).

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
    return SavedIndex(folder, meta, mmap)


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
