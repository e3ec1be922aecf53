"""A saved index reused while it fits its polygons, rebuilt when they changed.

Above both the build and the folder format (:mod:`zoning.pointindex.storage`), which
know nothing of each other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zoning.pointindex.build import build_index
from zoning.pointindex.exact import GeomArray, as_geom_array
from zoning.pointindex.query import PointIndex
from zoning.pointindex.storage import INDEX_FILE, fingerprint

log = logging.getLogger(__name__)


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
        Passed to :func:`~zoning.pointindex.build.build_index`.
    """
    import shapely

    folder = Path(folder)
    geoms = as_geom_array(polys)
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
