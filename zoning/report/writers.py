"""Write a checked batch: ``.xlsx`` (results, summary, the codes of reasons present with
their explanation, provenance), ``.csv``, ``.geojson``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from zoning._gc import paused_gc
from zoning.errors import InvalidInputError
from zoning.io.atomic import write_text
from zoning.io.write import write_csv, write_geojson
from zoning.io.xlsx import write_excel
from zoning.report.motifs import MOTIF_HEADERS
from zoning.report.results import BatchRun

SHEET_RESULTS = "Résultats"
SHEET_SUMMARY = "Synthèse"
SHEET_PROVENANCE = "Provenance"
SHEET_MOTIFS = "Motifs"


def _write_excel(run: BatchRun, output_path: Path) -> None:
    write_excel(
        output_path,
        {
            SHEET_RESULTS: (run.headers, run.table),
            SHEET_SUMMARY: run.summary,
            SHEET_MOTIFS: (MOTIF_HEADERS, run.motifs),
            SHEET_PROVENANCE: (["élément", "valeur"], run.provenance),
        },
    )


def _write_csv(run: BatchRun, output_path: Path) -> None:
    """The results, and the provenance beside them in ``<name>.provenance.txt``."""
    write_csv(output_path, run.headers, run.table)
    text = "\n".join(f"{k} : {v}" for k, v in run.provenance)
    write_text(output_path.with_suffix(".provenance.txt"), text + "\n")


def _write_geojson(run: BatchRun, output_path: Path) -> None:
    """One feature per row, at its first ambulatory site's point."""
    write_geojson(output_path, run.headers, run.table, run.points, {"provenance": run.provenance})


_WRITERS: dict[str, Callable[[BatchRun, Path], None]] = {
    ".xlsx": _write_excel,
    ".csv": _write_csv,
    ".geojson": _write_geojson,
    ".json": _write_geojson,
}


def _writer(output_path: Path) -> Callable[[BatchRun, Path], None]:
    suffix = Path(output_path).suffix.lower()
    if suffix not in _WRITERS:
        raise InvalidInputError(
            f"format de sortie non pris en charge : « {suffix} » (.xlsx, .csv ou .geojson)"
        )
    return _WRITERS[suffix]


def check_output_format(output_path: Path) -> None:
    """Refuse an output suffix :func:`write_batch` does not write, before any work."""
    _writer(output_path)


@paused_gc()
def write_batch(run: BatchRun, output_path: Path) -> Path:
    """Write a checked batch in the format of ``output_path``'s suffix."""
    started = time.perf_counter()
    output_path = Path(output_path)
    _writer(output_path)(run, output_path)
    if run.output is None:
        run.output = output_path
    run.seconds += time.perf_counter() - started
    return output_path
