"""The batch service: candidates -> results, the same for the command line, the page and the API.

:func:`batch_context` builds, once and from the settings, what a run needs: the
programme, the store, the FINESS lookups, the geocoder (when asked) and the
road-distance service (``ZONING_OSRM_URL``). :func:`run` checks candidates in that
context; :mod:`zoning.report.writers` writes the result. Every front door goes
through these two, so that one file gets the same verdicts wherever it is checked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zoning._gc import paused_gc
from zoning.io.atomic import check_output
from zoning.locate.finess import FinessLocator, FinessStatus, finess_lookups
from zoning.locate.site import SiteGeocoder
from zoning.locate.sites import SiteLocator
from zoning.report.candidates import Candidates, load_candidates, prepare_posts
from zoning.report.motifs import motif_rows
from zoning.report.results import (
    BatchRun,
    provenance_rows,
    result_values,
    summary_rows,
)
from zoning.report.schema import result_headers
from zoning.report.writers import check_output_format, write_batch
from zoning.rules.batch import Progress, evaluate_posts
from zoning.rules.distance import RoadDistance, road_distance_from_settings
from zoning.rules.evaluate import PostResult
from zoning.rules.programme import Programme, load_programme
from zoning.rules.verdicts import STATUSES
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchContext:
    """What a batch run needs besides its candidates, built once per run.

    Attributes
    ----------
    programme
        The rules the posts are checked against.
    store
        The zoning store (decrees, communes, QPV).
    finess, finess_status
        Where an establishment is, and its legal category, from the FINESS files.
    geocoder
        Addresses to points; None: an address falls back on its commune.
    road_distance
        Road distances (OSRM); None: under the threshold as the crow flies is « à vérifier ».
    """

    programme: Programme
    store: ZoningStore
    finess: FinessLocator | None = None
    finess_status: FinessStatus | None = None
    geocoder: SiteGeocoder | None = None
    road_distance: RoadDistance | None = None

    @property
    def locator(self) -> SiteLocator:
        """The sites' locator of this context."""
        return SiteLocator(self.store, self.finess, self.geocoder)


def batch_context(
    programme: Programme, store: ZoningStore | None = None, *, geocode: bool = False
) -> BatchContext:
    """The context of a run from the settings: FINESS files of the store's sources,
    the project's geocoder when ``geocode``, the road-distance service of
    ``ZONING_OSRM_URL`` (none when unset).
    """
    store = store if store is not None else ZoningStore.open()
    finess, status = finess_lookups(store.sources_dir())
    geocoder: SiteGeocoder | None = None
    if geocode:
        from zoning.locate.address import AddressGeocoder

        geocoder = AddressGeocoder()
    return BatchContext(programme, store, finess, status, geocoder, road_distance_from_settings())


def _first_points(results: Sequence[PostResult | None]) -> list[tuple[float, float] | None]:
    """The first ambulatory site's point of each row (GeoJSON), None where it has none."""
    points: list[tuple[float, float] | None] = []
    for r in results:
        site = r.sites[0] if r is not None and r.sites else None
        if site is not None and site.lon is not None and site.lat is not None:
            points.append((site.lon, site.lat))
        else:
            points.append(None)
    return points


@paused_gc()
def run(
    candidates: Candidates,
    context: BatchContext,
    *,
    bar: bool = False,
    on_progress: Progress | None = None,
) -> BatchRun:
    """Check every row of ``candidates`` in ``context``; nothing is written.

    The candidates' columns are checked when they are loaded (:func:`load_candidates`).
    ``bar`` shows a progress bar on the terminal; ``on_progress(stage, done, total)``
    follows the run (the web page's progress bar).
    """
    started = time.perf_counter()
    programme, store = context.programme, context.store
    table, cmap = candidates.table, candidates.cmap
    log.info("column mapping: %d columns used, %d not", len(cmap.fields), len(cmap.unknown))
    posts, skipped = prepare_posts(table, cmap, programme, candidates.blocks, context.finess_status)
    results = evaluate_posts(
        store,
        programme,
        posts,
        context.locator,
        road_distance=context.road_distance,
        progress=bar,
        on_progress=on_progress,
    )
    n_sites = max([len(p.sites) for p in posts if p] + cmap.sites() + [1])
    width = len(table.headers)
    rows = [
        [*(cells + [""] * width)[:width], *result_values(result, skip, n_sites)]
        for cells, result, skip in zip(table.rows, results, skipped, strict=True)
    ]
    statuses = [str(r[width]) for r in rows]
    headers = [*table.headers, *result_headers(n_sites)]
    routing = context.road_distance is not None
    seconds = time.perf_counter() - started
    log.info("batch: %d rows checked in %.1f s", len(rows), seconds)
    return BatchRun(
        rows=len(rows),
        counts={s: statuses.count(s) for s in STATUSES},
        column_map=cmap,
        output=None,
        programme=programme,
        seconds=seconds,
        headers=headers,
        table=rows,
        points=_first_points(results),
        motifs=motif_rows(headers, rows),
        summary=summary_rows(results, statuses),
        provenance=provenance_rows(
            programme, store, table, cmap, results, routing, candidates.block_sheet
        ),
    )


def run_batch(
    input_path: Path,
    programme_id: str,
    output_path: Path,
    store: ZoningStore | None = None,
    *,
    finess: FinessLocator | None = None,
    finess_status: FinessStatus | None = None,
    geocoder: SiteGeocoder | None = None,
    road_distance: RoadDistance | None = None,
    sheet: str | None = None,
    progress: bool = True,
    programmes_folder: Path | None = None,
    overrides: dict[str, str | None] | None = None,
) -> BatchRun:
    """Check every row of ``input_path`` and write ``output_path``, with the parts given.

    For a library user who brings their own parts (a test, a notebook); the command
    line and the web app build theirs from the settings (:func:`batch_context`). The
    output format follows the suffix of ``output_path`` (see :func:`write_batch`).
    """
    output_path = Path(output_path)
    check_output_format(output_path)
    check_output(output_path, input_path)
    programme = load_programme(programme_id, programmes_folder)
    context = BatchContext(
        programme,
        store if store is not None else ZoningStore.open(),
        finess,
        finess_status,
        geocoder,
        road_distance,
    )
    candidates = load_candidates(Path(input_path), programme, sheet, overrides)
    result = run(candidates, context, bar=progress)
    write_batch(result, output_path)
    return result
