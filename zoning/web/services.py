"""The web application's only door into the library.

Every route calls a function of this module, which calls the library and returns plain
data for a template or a JSON answer. Nothing here decides a zone or a status: when the
library changes, this file is the one place to re-point.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning import __version__
from zoning.errors import ZoningError
from zoning.store.store import ZoningStore

if TYPE_CHECKING:
    from zoning.report.results import BatchRun
    from zoning.rules.batch import Progress

_STORE_LOCK = threading.Lock()
_COVERAGE_LOCK = threading.Lock()
_COVERAGE_CACHE: dict[tuple[str, str], Any] = {}


def open_store(path: Path | None) -> ZoningStore:
    """Open the zoning store once (``ZONING_STORE`` when ``path`` is None)."""
    return ZoningStore.open(path)


def forget_store() -> None:
    """Drop what was computed from the store (it changed: a decree adopted or removed)."""
    with _COVERAGE_LOCK:
        _COVERAGE_CACHE.clear()


# -- one place ----------------------------------------------------------------------------


@dataclass
class CheckAnswer:
    """A placement with what the answer card shows around it."""

    placement: Any
    verdict: Any
    kind: str
    store: ZoningStore

    @property
    def provenance(self) -> dict[str, Any]:
        """Data vintages and versions (for the card; the JSON has the decree)."""
        return provenance(self.store)


def check(store: ZoningStore, text: str, on: dt.date | None) -> CheckAnswer:
    """Answer one search string (see :func:`zoning.locate.search.search_place`)."""
    from zoning.locate.placement import verdict_of
    from zoning.locate.search import describe, parse_query, search_place

    query = parse_query(text)
    placement = search_place(store, text, on)
    return CheckAnswer(placement, verdict_of(placement), describe(query)["label"], store)


def needs_network(text: str) -> bool:
    """Whether answering ``text`` calls the geocoder (an address or a FINESS number)."""
    from zoning.locate.search import parse_query

    try:
        return parse_query(text).kind in ("address", "finess")
    except ZoningError:
        return False


def suggest(store: ZoningStore, prefix: str, limit: int = 10) -> list[dict[str, str]]:
    """Commune suggestions for the search field."""
    from zoning.locate.search import suggest_communes

    return [
        {"code": c.code, "name": c.name, "departement": c.departement, "label": c.label}
        for c in suggest_communes(store, prefix, limit)
    ]


def neighbourhood(store: ZoningStore, code: str, on: dt.date | None) -> dict[str, Any]:
    """GeoJSON of a commune and its neighbours with their classes."""
    from zoning.map.neighbourhood import neighbourhood as around

    with _STORE_LOCK:  # the first call reads every polygon; do it once
        return around(store, code, on)


def zone_labels() -> dict[str, str]:
    """French label of each zoning class."""
    from zoning.locate.classes import ZONE_LABELS

    return dict(ZONE_LABELS)


def provenance(store: ZoningStore) -> dict[str, Any]:
    """Store provenance plus the version of the running tool."""
    prov = dict(store.provenance())
    prov["tool_version"] = __version__
    return prov


# -- lists ---------------------------------------------------------------------------------


def programmes() -> list[tuple[str, str]]:
    """(id, title) of every programme rules file."""
    from zoning.rules.programme import list_programmes, load_programme

    return [(pid, load_programme(pid).title) for pid in list_programmes()]


def column_fields() -> dict[str, str]:
    """Field name -> French description, for the mapping selects."""
    from zoning.report.fields import FIELDS

    return dict(FIELDS)


@dataclass
class Columns:
    """What the upload's header row was matched to."""

    headers: list[str]
    mapping: dict[str, str]  # header -> field ("" when unused)
    rows: int
    header_line: int
    notes: dict[str, str]  # header -> why (recognised, ambiguous, uncertain…)


def read_columns(path: Path) -> Columns:
    """Headers of an uploaded table and the automatic mapping (header -> field)."""
    from zoning.io.read import read_table
    from zoning.report.columns import match_columns, score_header

    table = read_table(path, None, score_header, what="liste de candidats")
    cmap = match_columns(table.headers, rows=table.rows)
    return Columns(
        list(table.headers),
        {c.header: c.field or "" for c in cmap.columns},
        len(table.rows),
        table.header_line,
        {c.header: f"{c.status} : {c.note}" if c.note else c.status for c in cmap.columns},
    )


def column_overrides(headers: list[str], mapping: dict[str, str]) -> dict[str, str | None]:
    """The person's choices (header -> field, "" for unused) as the batch's overrides."""
    # The selects were filled with the automatic mapping: what is left empty is unused.
    return {h: mapping.get(h) or None for h in headers}


def check_batch(
    store: ZoningStore,
    source: Path,
    programme: str,
    overrides: dict[str, str | None],
    on_progress: Progress | None = None,
) -> BatchRun:
    """Check a list as `zoning batch` does (same context: FINESS lookups, road-distance
    service of the settings; no geocoding), nothing written."""
    from zoning.report.candidates import load_candidates
    from zoning.report.service import batch_context, run
    from zoning.rules.programme import load_programme

    context = batch_context(load_programme(programme), store)
    candidates = load_candidates(source, context.programme, None, overrides)
    return run(candidates, context, on_progress=on_progress)


def write_batch(run: BatchRun, output: Path) -> Path:
    """Write a checked list as .xlsx, .csv or .geojson (see :func:`check_batch`)."""
    from zoning.report.writers import write_batch as write

    return write(run, output)


def posts_map_html(results_geojson: Path, store: ZoningStore) -> str:
    """The posts map of a batch result, self-contained (Leaflet inlined from npm)."""
    from zoning.map.posts.page import posts_map
    from zoning.map.posts.read import read_posts
    from zoning.map.render import to_html

    table = read_posts(results_geojson)
    return str(to_html(posts_map(table, None)))


# -- coverage ------------------------------------------------------------------------------


def regions(store: ZoningStore) -> list[tuple[str, str]]:
    """(code, name) of the regions the store has a decree for, by name."""
    codes = {d.region for d in store.decrees}
    return sorted(((c, store.region_name(c)) for c in codes), key=lambda r: r[1])


def decrees(store: ZoningStore) -> list[Any]:
    """Every decree, regions described first, by region then date."""
    return sorted(
        store.decrees,
        key=lambda d: (d.id.startswith("zonmed-"), d.region, d.in_force_from or dt.date.min),
    )


def coverage(store: ZoningStore, region: str, decree_id: str | None) -> Any:
    """Coverage data of a region under a decree (the region's latest when None), cached."""
    from zoning.map.data import load_coverage

    on = None
    if decree_id:
        decree = store.decree(decree_id)
        on = decree.in_force_from
    key = (region, decree_id or "")
    with _COVERAGE_LOCK:
        if key not in _COVERAGE_CACHE:
            _COVERAGE_CACHE[key] = load_coverage(store, region=region, on=on)
        return _COVERAGE_CACHE[key]


def coverage_html(data: Any) -> str:
    """The coverage map page (self-contained, as ``zoning map coverage`` writes it)."""
    from zoning.map.coverage import coverage_map
    from zoning.map.render import to_html

    return str(to_html(coverage_map(data)))


def departement_table(data: Any) -> tuple[list[str], list[list[Any]], dict[str, float]]:
    """Per-département table (headers, rows) and the decree's caps."""
    from zoning.map.figures import departement_table as table_of

    frame = table_of(data)
    headers = ["département", "nom", *[str(c) for c in frame.columns]]
    rows = [
        [str(idx), data.departement_names.get(str(idx), ""), *row]
        for idx, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    caps = dict(getattr(data.decree, "caps", {}) or {})
    return headers, rows, caps


# -- data -----------------------------------------------------------------------------------


def data_sources(store: ZoningStore) -> list[dict[str, Any]]:
    """Sources the store was built from: title, vintage, licence, files with sha256."""
    out = []
    for sid, info in sorted(store.meta.get("sources", {}).items()):
        out.append({"id": sid, **info, "files": list(info.get("files") or [])})
    return out


def build_report(store: ZoningStore) -> str:
    """The store's build report (Markdown text)."""
    path = store.path / "report.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


# -- draft zoning (page « Simuler ») -------------------------------------------------------


def draft(
    store: ZoningStore,
    base_id: str,
    region: str,
    caps: dict[str, float],
    margin: float | None,
    operations: list[dict[str, Any]],
) -> Any:
    """A draft zoning replayed from its starting decree (:mod:`zoning.store.draft`)."""
    from zoning.store import draft as drafts

    start = drafts.start(
        store,
        base_id or None,
        region or None,
        caps,
        drafts.DEFAULT_MARGIN if margin is None else margin,
    )
    return drafts.apply_all(start, [drafts.Operation.from_dict(op) for op in operations])


def draft_operations(
    current: Any, zone: str, kind: str, value: str, tvs_path: Path | None
) -> list[Any]:
    """New operations on ``current``: one per code of ``value`` (« 23096, 23008 »)."""
    from zoning.store import draft as drafts
    from zoning.store.annex_resolve import read_tvs_table

    tvs = read_tvs_table(tvs_path) if tvs_path is not None else None
    keys = [k for k in value.replace(";", ",").replace(" ", ",").split(",") if k]
    if not keys:
        from zoning.errors import InvalidInputError

        raise InvalidInputError("indiquez la commune, le département ou le territoire à changer")
    return [drafts.operation(current, zone, kind, key, tvs) for key in keys]


def draft_view(current: Any) -> dict[str, Any]:
    """What the page shows: title, gauges, changes, operations."""
    from zoning.store import draft as drafts

    return {
        "draft_title": drafts.title(current),
        "import_command": drafts.import_command(current, "projet-zonage.xlsx"),
        "formats": list(draft_formats()),
        "gauges": drafts.gauges(current),
        "changes": drafts.changes(current),
        "operations": current.operations,
    }


def draft_formats() -> dict[str, str]:
    """Suffix -> media type of the draft's downloads (the writers the library has)."""
    from zoning.map.export.draft import MEDIA_TYPES, WRITERS

    return {s: MEDIA_TYPES.get(s, "application/octet-stream") for s in WRITERS}


def draft_file(store: ZoningStore, current: Any, path: Path) -> Path:
    """The draft at ``path``: annex (.xlsx, .csv) or GeoPackage (see ``map.export.draft``)."""
    from zoning.map.export.draft import write_draft

    write_draft(path, current, store)
    return path
