"""Load a decree's annex (the class of every commune) into a built store, and back out.

An ARS publishes its zoning as an annex table: one row per commune (INSEE code, or
commune name with its département or postal code), per QPV (QPV code) or per territoire
de vie-santé (expanded into communes through a TVS → commune table). The class is
written « ZIP », « zone d'intervention prioritaire », « 1_ZIP », « Hors zonage »...

:func:`import_decree` reads such a table — or the RAA PDF, or a CartoSanté export
(:mod:`zoning.store.import_report`) — completes the decree's record
(:mod:`zoning.store.decree_record`), resolves every row to the store's communes
(:mod:`zoning.store.annex_resolve`), validates it (unknown and duplicated codes,
communes of the region missing, bad class labels, population shares against the caps:
:mod:`zoning.store.annex_rows`), compares it with the decree it replaces (the preview,
``--apercu``: :mod:`zoning.store.decree_compare`) and, when adopted, adds it to the store
without rebuilding it, with an audit record of the file (:mod:`zoning.store.decree_store`,
which also removes and exports decrees).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.sources.annex_vocab import QPV_CODE, ClassLabel, column_roles, read_class
from zoning.store.annex_resolve import (
    CommuneCodes,
    Resolver,
    gone_by,
    read_tvs_table,
    resolve_row,
)
from zoning.store.annex_rows import part_classes, qpv_row, zones_rows
from zoning.store.decree_compare import compare_classes
from zoning.store.decree_record import decree_record
from zoning.store.decree_store import QPV_COLUMNS, audit_record, write_decree
from zoning.store.decrees import Decree
from zoning.store.import_report import ImportReport, read_annex
from zoning.store.integrity import record_store_files, store_lock
from zoning.store.report import region_summary
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


def import_decree(
    store: ZoningStore,
    path: Path,
    *,
    decree_id: str,
    region: str,
    communes: CommuneCodes,
    adopted: date | None = None,
    in_force: date | None = None,
    replaces: str | None = None,
    caps: dict[str, float] | None = None,
    tvs_path: Path | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
    file_name: str | None = None,
    accept_errors: bool = False,
    cog_vintage: int | None = None,
) -> ImportReport:
    """Read an annex, validate it against the store and (unless ``dry_run``) add it.

    Parameters
    ----------
    store : ZoningStore
        The store to add the decree to (written in place, tables swapped atomically).
    path : Path
        The annex (CSV, XLSX, ODS).
    communes : CommuneCodes
        Carries codes and names of another vintage to the store's communes
        (:mod:`zoning.locate.lookup`, passed in: the locating layer is above the store).
    decree_id, region, adopted, in_force, replaces, caps
        The decree's record; a record of that id already in the store (described in
        ``data/decrees`` without its classes) is completed.
    tvs_path : Path, optional
        TVS → commune table, for an annex by territoire de vie-santé.
    dry_run : bool
        Validate and report only.
    overwrite : bool
        Replace the classes of a decree already loaded.
    file_name : str, optional
        The file name to report and audit (an upload is saved under a neutral name).
    accept_errors : bool
        Write even when rows could not be read (they are ignored, counted in the
        decree's provenance and listed in its report); otherwise such an annex is not
        written and the report says ``refused``.
    cog_vintage : int, optional
        The COG the annex's codes and names are written in (default: the decree
        record's, else the store's).

    Returns
    -------
    ImportReport
    """
    path = Path(path)
    if replaces and not any(d.id == replaces for d in store.decrees):
        raise InvalidInputError(f"--replaces {replaces} : arrêté inconnu du magasin")
    existing = next((d for d in store.decrees if d.id == decree_id), None)
    if existing is not None and existing.classes_loaded and not overwrite:
        raise InvalidInputError(
            f"l'arrêté {decree_id} a déjà ses classes dans le magasin : choisissez un autre "
            "identifiant, ou --overwrite pour les remplacer"
        )
    file_name = file_name or path.name
    decree, warnings = decree_record(
        store, decree_id, region, adopted, in_force, replaces, caps or {}, file_name, cog_vintage
    )
    report = ImportReport(decree, path, file_name=file_name)
    for warning in warnings:
        report.add("avertissement", warning)
    headers, rows, lines = read_annex(path, sheet, report)
    roles = column_roles(headers)
    report.add(
        "info",
        "colonnes reconnues : "
        + ", ".join(f"{role} = « {headers[i]} »" for role, i in sorted(roles.items())),
    )
    tvs = read_tvs_table(tvs_path) if tvs_path else None
    if "tvs" in roles and tvs is None and "code" not in roles and "name" not in roles:
        raise InvalidInputError(
            f"{path.name} : annexe par territoire de vie-santé : donnez la table TVS → "
            "communes avec --tvs FICHIER"
        )
    resolver = Resolver(
        store,
        region,
        communes,
        _annex_vintage(store, decree, rows, roles, report, given=cog_vintage is not None),
    )
    assigned: dict[str, list[tuple[str, int, str]]] = {}
    parts: dict[str, list[tuple[ClassLabel, int]]] = {}
    qpv_rows: list[dict[str, Any]] = []

    def cell(row: list[str], role: str) -> str:
        i = roles.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""

    for index, row in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        line = lines[index]
        report.rows_read += 1
        raw_zone = cell(row, "zone")
        label = read_class(raw_zone) if raw_zone else ClassLabel("")
        if label is None:
            report.add("erreur", f"classe « {raw_zone} » non reconnue : ligne ignorée", line)
            continue
        qpv = cell(row, "qpv") or cell(row, "code")
        if qpv and QPV_CODE.match(qpv.upper()):
            qpv_rows.append(qpv_row(decree_id, qpv.upper(), "", label, line))
            report.qpv_rows += 1
            continue
        try:
            codes, note = resolve_row(resolver, tvs, cell, row)
        except (NotFoundError, AmbiguousError, InvalidInputError) as exc:
            report.add("erreur", f"{exc} : ligne ignorée", line)
            continue
        if note:
            report.add("info", note, line)
        if not label.zone:
            report.add("avertissement", "commune listée sans classe", line)
        for code in codes:
            if resolver.region_of.get(code) != region:
                report.add(
                    "erreur",
                    f"commune {code} hors de la région {region} "
                    f"(région {resolver.region_of.get(code)}) : ignorée",
                    line,
                )
            elif label.level:
                parts.setdefault(code, []).append((label, line))
                qpv_rows.append(qpv_row(decree_id, "", code, label, line))
                report.qpv_rows += 1
            else:
                assigned.setdefault(code, []).append((label.zone, line, note))
    part_notes = part_classes(assigned, parts, report)
    zones = zones_rows(store, decree_id, region, assigned, report, part_notes)
    report.zones = zones
    report.qpv = pd.DataFrame(qpv_rows, columns=QPV_COLUMNS)
    report.summary = region_summary(decree, store.communes(), zones, store.region_name(region))
    for zone_name, cap in decree.caps.items():
        if not report.summary["within_caps"].get(zone_name, True):
            share = report.summary["classes"].get(zone_name, {}).get("share")
            report.add(
                "avertissement",
                f"{zone_name} : {share} % de la population, au-delà du plafond de {cap} %",
            )
    if not assigned:
        raise InvalidInputError(
            f"{path.name} : aucune ligne rattachée à une commune de la région {region}"
        )
    if decree.replaces:
        report.comparison = compare_classes(
            store, store.decree(decree.replaces), decree, zones.set_index("code")["zone"]
        )
    # Errors (rows that could not be read or placed, communes in conflict, communes of the
    # region with a class before that the annex leaves out) refuse the import unless
    # accepted; a commune already without class, absent by nature, is only a warning.
    errors = report.count("erreur")
    if errors and not accept_errors and not dry_run:
        report.refused = True
        return report
    if errors:  # kept with the decree: its provenance says the table is incomplete
        unread = (
            f"{errors} erreur(s) à l'import (lignes illisibles ignorées, communes absentes) "
            f"(decree_reports/{decree_id}.md)"
        )
        report.decree = replace(
            report.decree,
            classes_origin=f"{report.decree.classes_origin} ; {unread}",
            caveats=(
                *report.decree.caveats,
                f"Annexe incomplète : {unread} ; une commune absente du tableau est à vérifier.",
            ),
        )
    if not dry_run:
        adopt(store, report, existing)
    return report


def _annex_vintage(
    store: ZoningStore,
    decree: Decree,
    rows: list[list[str]],
    roles: dict[str, int],
    report: ImportReport,
    given: bool,
) -> int | None:
    """The COG to read the annex's codes in: its decree's, unless it cites communes gone
    by then (an annex written in the store's COG, e.g. an export of the previous table)
    and ``--cog`` was not ``given``."""
    if decree.cog_vintage <= int(store.meta["cog_vintage"]):
        return None
    col = roles.get("code")
    codes = [row[col] for row in rows if col is not None and col < len(row)]
    gone = gone_by(store, codes, decree.cog_vintage)
    if not gone:
        return decree.cog_vintage
    found = (
        f"l'annexe cite {len(gone)} commune(s) disparue(s) au COG {decree.cog_vintage} "
        f"(ex. {gone[0][0]}, dans {gone[0][1]})"
    )
    if given:
        report.add("avertissement", f"{found}, COG indiqué par --cog")
        return decree.cog_vintage
    report.add(
        "avertissement",
        f"{found} : codes lus au COG du magasin ({store.meta['cog_vintage']}) ; "
        "si c'est une erreur, précisez --cog",
    )
    return None


def adopt(store: ZoningStore, report: ImportReport, previous: Decree | None) -> None:
    """Write a previewed import into the store, with its audit record.

    Under the store's lock, and its file digests re-recorded, so that the checks on open
    and `zoning data check-store` keep holding after the import.
    """
    assert report.zones is not None and report.qpv is not None
    decree = replace(report.decree, audit=audit_record(report, previous))
    report.decree = decree
    with store_lock(store.path):
        write_decree(store.path, decree, report.zones, report.qpv, report)
        record_store_files(store.path)
    report.written = True
