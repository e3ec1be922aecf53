"""Write a draft zoning (:mod:`zoning.store.draft`) as an annex ``data import-decree`` reads.

The layout is the one of ``zoning data export-decree`` (code INSEE, commune,
département, classe, population), with a title row « PROJET de zonage … » above the
header (the import finds the header by content, a title above it is fine). An XLSX
also has the changes, the gauges and a « provenance » sheet; a CSV has its title row
only (the command's output has the rest). Every file says « projet »: a draft is never
an adopted decree until it is imported.

:data:`WRITERS` lists the tables by suffix; :mod:`zoning.map.export.draft` adds the
GeoPackage and dispatches (the map layer sits above this one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from zoning import __version__
from zoning.io.write import write_csv
from zoning.io.xlsx import write_excel
from zoning.store.draft import (
    PROJET,
    Draft,
    annex_rows,
    changes,
    gauges,
    import_command,
    title,
)
from zoning.store.store import ZoningStore

CHANGE_HEADERS = ["code_insee", "commune", "departement", "population", "avant", "projet"]
GAUGE_HEADERS = [
    "classe",
    "communes",
    "population",
    "part (%)",
    "plafond (%)",
    "plafond + marge (%)",
    "état",
]


def provenance_rows(draft: Draft, store: ZoningStore) -> list[list[Any]]:
    """Key / value rows: what the draft is, where it started, data and tool versions."""
    caps = ", ".join(f"{z} {c} %" for z, c in draft.caps.items()) or "aucun"
    return [
        ["statut", f"{PROJET} — non adopté ; chargez-le avec `zoning data import-decree`"],
        ["pour l'adopter", import_command(draft)],
        ["titre", title(draft)],
        ["arrêté de départ", draft.base_title],
        ["plafonds", caps],
        ["marge", f"{draft.margin} % du plafond"],
        ["opérations", " ; ".join(op.label() for op in draft.operations) or "aucune"],
        ["population", f"population municipale INSEE du magasin ({store.meta.get('built_at')})"],
        ["millésime des codes communes", f"COG {store.meta.get('cog_vintage')}"],
        ["outil", f"zoning {__version__}"],
    ]


def gauge_rows(draft: Draft) -> list[list[Any]]:
    """One row per gauge (see :func:`zoning.store.draft.gauges`)."""
    return [
        [g.zone or "sans classe", g.communes, g.population, g.share, g.cap, g.limit, g.status]
        for g in gauges(draft)
    ]


def change_rows(draft: Draft) -> list[list[Any]]:
    """One row per commune whose class changes from the starting decree."""
    return [
        [c.code, c.name, c.departement, c.population, c.before, c.after] for c in changes(draft)
    ]


def _with_title(draft: Draft) -> tuple[list[str], list[list[Any]]]:
    headers, rows = annex_rows(draft)
    top = [title(draft)] + [""] * (len(headers) - 1)
    return top, [list(headers), *rows]


def write_xlsx(path: Path, draft: Draft, store: ZoningStore) -> None:
    """Annex sheet (titled « projet »), changes, gauges and provenance."""
    top, rows = _with_title(draft)
    write_excel(
        path,
        {
            "projet annexe": (top, rows),
            "changements": (CHANGE_HEADERS, change_rows(draft)),
            "jauges": (GAUGE_HEADERS, gauge_rows(draft)),
            "provenance": (["clé", "valeur"], provenance_rows(draft, store)),
        },
    )


def write_csv_annex(path: Path, draft: Draft, store: ZoningStore) -> None:
    """The annex alone, its title row first."""
    top, rows = _with_title(draft)
    write_csv(path, top, rows)


#: Suffix -> table writer ``(path, draft, store)``; :mod:`zoning.map.export.draft` adds ``.gpkg``.
WRITERS: dict[str, Callable[[Path, Draft, ZoningStore], None]] = {
    ".xlsx": write_xlsx,
    ".csv": write_csv_annex,
}
#: Media types of the downloads (a suffix missing here is sent as octet-stream).
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".gpkg": "application/geopackage+sqlite3",
}
