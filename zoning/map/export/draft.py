"""A draft zoning (:mod:`zoning.store.draft`) saved in every format the planner may ask:
the annex tables of :mod:`zoning.report.draft_annex` and a GeoPackage of the draft's
classes (the layers of ``zoning export``, « projet » in every title).

The dispatch by suffix lives here, above both writers: the annex layer (``report``)
cannot reach the map layer, and the CLI and the « Simuler » page offer every suffix of
:data:`WRITERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from zoning.errors import InvalidInputError
from zoning.io.atomic import check_output
from zoning.map.data import CoverageData, load_coverage
from zoning.map.export.build import export_coverage
from zoning.report import draft_annex
from zoning.store.decree_compare import compare_classes
from zoning.store.draft import PROJET, Draft, changes, import_command
from zoning.store.store import ZoningStore

__all__ = ["MEDIA_TYPES", "WRITERS", "draft_coverage", "write_draft", "write_draft_gpkg"]


def draft_coverage(draft: Draft, store: ZoningStore) -> CoverageData:
    """The region's polygons (the store's, not simplified) with the draft's classes.

    The decree written in the layers is a stand-in named after the draft: its identifier
    « projet », its caps the draft's, its title saying where it started.
    """
    if draft.base_id:
        data = load_coverage(store, decree_id=draft.base_id, tolerance_m=0)
    else:
        # Any decree of the region gives the polygons; its classes are replaced below.
        data = load_coverage(store, draft.region, tolerance_m=0)
    communes = data.communes.copy()
    communes["zone"] = communes["code"].map(dict(draft.classes)).fillna("ND")
    start = f"depuis {draft.base_id}" if draft.base_id else "vide"
    decree = replace(
        data.decree,
        id="projet",
        title=f"{PROJET} de zonage ({start})",
        short=f"{PROJET} de zonage ({start})",
        caps=dict(draft.caps),
        in_force_from=None,
        in_force_until=None,
        audit={},
        caveats=(),
    )
    return replace(data, communes=communes, decree=decree)


def write_draft_gpkg(path: Path, draft: Draft, store: ZoningStore) -> None:
    """The draft's layers: communes and their draft class, the changes from the starting
    decree (when it started from one), QPV, départements against the draft's caps."""
    data = draft_coverage(draft, store)
    comparison = None
    if draft.base_id:
        classes = pd.Series(dict(draft.classes), dtype=str)
        comparison = compare_classes(store, store.decree(draft.base_id), data.decree, classes)
    extra = [
        ("arrêté de départ", draft.base_title),
        ("marge", f"{draft.margin:g} % du plafond"),
        ("opérations", " ; ".join(op.label() for op in draft.operations) or "aucune"),
        ("communes changées", str(len(changes(draft)))),
        ("pour l'adopter", import_command(draft)),
    ]
    export_coverage(data, store, comparison=comparison, draft=True, extra=extra).write(path)


#: Suffix -> writer ``(path, draft, store)``; the CLI's -o and the page's buttons offer these.
WRITERS: dict[str, Callable[[Path, Draft, ZoningStore], None]] = {
    **draft_annex.WRITERS,
    ".gpkg": write_draft_gpkg,
}
MEDIA_TYPES = draft_annex.MEDIA_TYPES


def write_draft(path: Path, draft: Draft, store: ZoningStore) -> None:
    """Write ``draft`` to ``path`` (format by suffix), atomically."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise InvalidInputError(
            f"{path.name} : format de projet non pris en charge ({', '.join(WRITERS)})"
        )
    check_output(path)
    writer(path, draft, store)
