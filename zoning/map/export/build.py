"""Everything ``zoning export`` writes: the layers of a region under a decree, and their
provenance (decree, sources and vintages, tool version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning import __version__
from zoning.io.gpkg import Layer, write_layers
from zoning.map.data import CoverageData, load_coverage
from zoning.map.export.layers import (
    changes_layer,
    communes_layer,
    departements_layer,
    qpv_layer,
)

if TYPE_CHECKING:
    from zoning.map.posts.read import PostsTable
    from zoning.store.decree_compare import Comparison

__all__ = ["Export", "build_export", "export_coverage", "provenance_rows"]


@dataclass
class Export:
    """The layers to write and the provenance rows that go with them."""

    layers: list[Layer]
    provenance: list[tuple[str, str]]
    coverage: CoverageData

    def write(self, path: str | Path) -> list[Path]:
        """Write the layers (:func:`zoning.io.gpkg.write_layers`); the files written."""
        return write_layers(path, self.layers, self.provenance)

    def counts(self) -> dict[str, int]:
        """Features per layer."""
        return {layer.name: len(layer.frame) for layer in self.layers}


def provenance_rows(
    data: CoverageData,
    layers: Sequence[Layer],
    *,
    caveat: str = "",
    extra: Sequence[tuple[str, str]] = (),
    draft: bool = False,
) -> list[tuple[str, str]]:
    """Key, value rows: tool, date, decree and caps, store and source vintages, layers."""
    decree = data.decree
    prov = data.provenance
    rows: list[tuple[str, str]] = [
        ("outil", f"zoning {__version__}"),
        ("date de l'export", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if draft:
        rows.append(("statut", "PROJET de zonage : pas un arrêté adopté"))
    if decree is not None:
        caps = ", ".join(f"{k} {v:g} %" for k, v in (decree.caps or {}).items())
        rows += [
            ("arrêté", decree.provenance()),
            ("identifiant de l'arrêté", decree.id),
            ("plafonds de l'arrêté (part de la population régionale)", caps or "inconnus"),
        ]
    if caveat:
        rows.append(("avertissement", caveat))
    rows += [
        ("région", data.region),
        ("base de zonage construite le", str(prov.get("store_built_at", ""))),
        ("base construite par", f"zoning {prov.get('store_tool_version', '')}"),
        ("millésime des codes communes (COG)", str(prov.get("cog_vintage", ""))),
    ]
    sources = prov.get("sources") or {}
    for source, vintage in sorted(sources.items() if isinstance(sources, dict) else []):
        value = vintage.get("vintage") if isinstance(vintage, dict) else vintage
        rows.append((f"source {source}", str(value)))
    rows += list(extra)
    rows += [(f"couche {layer.name}", layer.description) for layer in layers]
    return rows


def export_coverage(
    data: CoverageData,
    store: Any,
    *,
    comparison: Comparison | None = None,
    posts: PostsTable | None = None,
    draft: bool = False,
    caveat: str = "",
    extra: Sequence[tuple[str, str]] = (),
) -> Export:
    """The layers of classes already drawn as ``data`` (a loaded decree, or a draft).

    Parameters
    ----------
    data : CoverageData
        Communes and their class (``communes["zone"]``), decree and provenance.
    store : ZoningStore
        For the QPV listed per commune.
    comparison : Comparison, optional
        Adds the ``changements`` layer.
    posts : PostsTable, optional
        Adds the ``sites`` and ``liens`` layers.
    draft : bool
        The classes are a draft: every title, description and the provenance say
        « projet ».
    caveat : str
        A warning on the decree chosen, written in the provenance.
    extra : sequence of (str, str)
        More provenance rows (a draft's starting decree, margin, operations).
    """
    layers = [communes_layer(data, draft)]
    if comparison is not None:
        layers.append(changes_layer(data, comparison, draft))
    layers += [
        qpv_layer(data, store),
        departements_layer(data, draft, store.region_name(data.region)),
    ]
    notes = list(extra)
    if posts is not None:
        from zoning.map.export.posts import links_layer, sites_layer

        layers += [sites_layer(posts), links_layer(posts)]
        notes.append(("fichier de postes", Path(posts.source).name))
        notes += [("programme des postes", p) for p in posts.thresholds]
        notes += [("remarque sur les postes", note) for note in posts.notes]
    rows = provenance_rows(data, layers, caveat=caveat, extra=notes, draft=draft)
    return Export(layers, rows, data)


def build_export(
    store: Any,
    *,
    region: str,
    on: dt.date | None = None,
    decree_id: str | None = None,
    since: str | None = None,
    posts: Path | None = None,
    programme: str | None = None,
    tolerance_m: float = 0.0,
) -> Export:
    """The layers of ``region`` under a loaded decree, for a GIS.

    Parameters
    ----------
    store : ZoningStore
        An opened store.
    region : str
        Region code (ignored when ``decree_id`` is given: the decree's region).
    on : datetime.date, optional
        The decree in force that day (None: the latest loaded).
    decree_id : str, optional
        This decree's classes, whatever the date.
    since : str, optional
        Add the ``changements`` layer: communes whose class differs from this decree's.
    posts : Path, optional
        A batch result (CSV, Excel, ODS, GeoJSON): adds the ``sites`` and ``liens`` layers.
    programme : str, optional
        The posts' programme when their file names none.
    tolerance_m : float
        Simplification in metres (0: the store's polygons as they are).

    Returns
    -------
    Export
    """
    data = load_coverage(store, region, on=on, tolerance_m=tolerance_m, decree_id=decree_id)
    caveat = ""
    if decree_id is None:
        caveat = store.decree_on(data.region, on).caveat
    comparison = None
    if since is not None:
        from zoning.store.decree_compare import compare_decrees

        comparison = compare_decrees(store, since, data.decree.id)
    table = None
    if posts is not None:
        from zoning.map.posts.read import read_posts

        table = read_posts(posts, programme)
    return export_coverage(data, store, comparison=comparison, posts=table, caveat=caveat)
