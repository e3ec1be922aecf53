"""Load a decree's annex (the class of every commune) into a built store, and back out.

An ARS publishes its zoning as an annex table: one row per commune (INSEE code, or
commune name with its département or postal code), per QPV (QPV code) or per territoire
de vie-santé (expanded into communes through a TVS → commune table). The class is
written « ZIP », « zone d'intervention prioritaire », « 1_ZIP », « Hors zonage »...

:func:`import_decree` reads such a table — or the RAA PDF, or a CartoSanté export
(:mod:`zoning.store.import_report`) — resolves every row to the store's communes
(:mod:`zoning.store.annex_resolve`), validates it (unknown and duplicated codes,
communes of the region missing, bad class labels, population shares against the caps),
compares it with the decree it replaces (the preview, ``--apercu``) and, when adopted,
adds it to the store without rebuilding it, with an audit record of the file
(:mod:`zoning.store.decree_store`, which also removes and exports decrees).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.store.annex_resolve import Resolver, gone_by, read_tvs_table, resolve_row
from zoning.store.annex_vocab import (
    LEVEL_NAMES,
    QPV_CODE,
    ClassLabel,
    class_of,  # noqa: F401 (re-exported)
    column_roles,
    read_class,
)
from zoning.store.decree_store import (  # noqa: F401 (the import's public names)
    QPV_COLUMNS,
    QPV_TABLE,
    REPORTS_DIR,
    add_records,
    export_table,
    write_decree,
)
from zoning.store.decrees import Decree
from zoning.store.import_report import (  # noqa: F401 (read_annex_table re-exported)
    ImportReport,
    read_annex,
    read_annex_table,
)
from zoning.store.integrity import record_store_files, store_lock
from zoning.store.report import region_summary
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


def _record(
    store: ZoningStore,
    decree_id: str,
    region: str,
    adopted: date | None,
    in_force: date | None,
    replaces: str | None,
    caps: dict[str, float],
    file_name: str,
    cog_vintage: int | None = None,
) -> tuple[Decree, list[str]]:
    """The decree record to store: the described one completed, or a new one.

    ``cog_vintage``: the COG the annex is written in, when given; else the record's, else
    the store's. Never below the store's: older codes are carried forward anyway.
    """
    warnings: list[str] = []
    store_vintage = int(store.meta["cog_vintage"])
    existing = next((d for d in store.decrees if d.id == decree_id), None)
    origin = f"annexe importée ({file_name}) le {date.today():%d/%m/%Y}"
    if existing is not None:
        if existing.region != region:
            raise InvalidInputError(
                f"l'arrêté {decree_id} du magasin est de la région {existing.region}, pas {region}"
            )
        changes: dict[str, Any] = {"classes_loaded": True, "classes_origin": origin}
        for key, value in (("adopted", adopted), ("in_force_from", in_force)):
            old = getattr(existing, key)
            if value is not None and old is not None and value != old:
                warnings.append(
                    f"{key} : {value:%d/%m/%Y} donné, {old:%d/%m/%Y} dans la fiche de l'arrêté "
                    "(la date donnée est retenue)"
                )
            if value is not None:
                changes[key] = value
        if replaces:
            changes["replaces"] = replaces
        if caps:
            changes["caps"] = caps
        caveats = [c for c in existing.caveats if "Annexe" not in c and "absente" not in c]
        changes["caveats"] = tuple(caveats)
        # The record's COG vintage is kept: the annex names the communes of that COG,
        # stored under the store's codes they cover (a later lookup shows them again).
        changes["cog_vintage"] = max(cog_vintage or existing.cog_vintage, store_vintage)
        return replace(existing, **changes), warnings
    if in_force is None:
        raise InvalidInputError(
            f"arrêté {decree_id} inconnu du magasin : indiquez sa date d'entrée en vigueur "
            "(--in-force AAAA-MM-JJ)"
        )
    region_name = store.region_name(region)
    when = f" du {adopted:%d/%m/%Y}" if adopted else f" en vigueur le {in_force:%d/%m/%Y}"
    decree = Decree(
        id=decree_id,
        region=region,
        title=f"Arrêté de zonage médecins ARS {region_name}{when} (annexe {file_name})",
        short=f"arrêté ARS {region_name}{when}",
        cog_vintage=max(cog_vintage or store_vintage, store_vintage),
        adopted=adopted,
        in_force_from=in_force,
        replaces=replaces or "",
        classes_loaded=True,
        classes_origin=origin,
        caps=caps,
    )
    return decree, warnings


def import_decree(
    store: ZoningStore,
    path: Path,
    *,
    decree_id: str,
    region: str,
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
    decree, warnings = _record(
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
            qpv_rows.append(_qpv_row(decree_id, qpv.upper(), "", label, line))
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
                qpv_rows.append(_qpv_row(decree_id, "", code, label, line))
                report.qpv_rows += 1
            else:
                assigned.setdefault(code, []).append((label.zone, line, note))
    part_notes = _part_classes(assigned, parts, report)
    zones = _zones_rows(store, decree_id, region, assigned, report, part_notes)
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
        from zoning.report.compare import compare_classes

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


def _unclassed(store: ZoningStore, decree_id: str) -> set[str]:
    """Communes without a class in the loaded decree ``decree_id`` (none if not loaded)."""
    if not decree_id or not any(d.id == decree_id and d.classes_loaded for d in store.decrees):
        return set()
    zones = store.zones(decree_id)
    return set(zones.loc[zones["zone"].astype(str) == "", "code"].astype(str))


def _later_hint(store: ZoningStore, code: str, vintage: int) -> str:
    """Why a commune may be absent: merged or renamed after the COG the annex was read in."""
    later = store.keyed.later_covering(code, "9999")
    if later is None or int(str(later["since"])[:4]) <= vintage:
        return ""
    year = str(later["since"])[:4]
    return (
        f" ; elle fait partie de {later['name']} ({later['code']}) depuis le "
        f"{date.fromisoformat(str(later['since'])):%d/%m/%Y} : si l'annexe nomme les "
        f"communes du COG {year}, relancez avec --cog {year}"
    )


def _qpv_row(decree_id: str, code_qp: str, commune: str, label: ClassLabel, line: int) -> dict:
    level = label.level or "QPV"
    return {
        "decree_id": decree_id,
        "code_qp": code_qp,
        "commune": commune,
        "zone": label.zone,
        "level": level,
        "label": label.raw,
        "line": line,
    }


def _part_classes(
    assigned: dict[str, list[tuple[str, int, str]]],
    parts: dict[str, list[tuple[ClassLabel, int]]],
    report: ImportReport,
) -> dict[str, str]:
    """Communes classed at QPV (or GQ) level: kept, and said in their note.

    A CartoSanté « 3_QPV_ZIP » on a commune row classes the commune's QPV, not the commune:
    the rest of the commune is « hors zonage » (the code list gives each commune one value,
    and 1_ZIP, 2_ZAC, 5_ZV would have said a commune-wide class). The commune's note
    names the QPV-level class, so that every answer for it says so.

    Returns
    -------
    dict
        Commune code -> note for its zones row.
    """
    notes = {}
    for code, labels in parts.items():
        said = "; ".join(
            f"{LEVEL_NAMES[lab.level]} classé {lab.zone} (« {lab.raw} », "
            f"{report.places.get(line, f'ligne {line}')})"
            for lab, line in labels
        )
        note = f"classe infra-communale de l'annexe : {said}"
        if code not in assigned:
            note += " ; le reste de la commune est hors zonage (HZ)"
            assigned[code] = [("HZ", labels[0][1], "")]
        notes[code] = note
        report.add("info", f"commune {code} : {note}", labels[0][1])
    return notes


def adopt(store: ZoningStore, report: ImportReport, previous: Decree | None) -> None:
    """Write a previewed import into the store, with its audit record.

    Under the store's lock, and its file digests re-recorded, so that the checks on open
    and `zoning data check-store` keep holding after the import.
    """
    from zoning.store.decree_store import audit_record

    assert report.zones is not None and report.qpv is not None
    decree = replace(report.decree, audit=audit_record(report, previous))
    report.decree = decree
    with store_lock(store.path):
        write_decree(store.path, decree, report.zones, report.qpv, report)
        record_store_files(store.path)
    report.written = True


def _zones_rows(
    store: ZoningStore,
    decree_id: str,
    region: str,
    assigned: dict[str, list[tuple[str, int, str]]],
    report: ImportReport,
    part_notes: dict[str, str],
) -> pd.DataFrame:
    """One zones row per commune of the region: its class, or why it has none."""
    communes = store.communes(["code", "name", "region"])
    region_codes = communes.loc[communes["region"] == region, "code"].astype(str).tolist()
    names = dict(zip(communes["code"], communes["name"], strict=True))
    rows = []
    missing = []
    for code in region_codes:
        hits = assigned.get(code)
        if not hits:
            missing.append(code)
            rows.append((decree_id, code, "", "", "", "commune absente de l'annexe"))
            continue
        lines = ", ".join(str(line) for _, line, _ in hits)
        classes = sorted({zone for zone, _, _ in hits})
        via = "; ".join(sorted({n for _, _, n in hits if n})) or "code INSEE"
        if len(hits) > 1:
            level = "erreur" if len(classes) > 1 else "avertissement"
            what = (
                f"classes différentes ({', '.join(c or 'sans classe' for c in classes)}) : "
                "commune laissée sans classe, à vérifier"
                if len(classes) > 1
                else "même classe"
            )
            report.add(
                level, f"commune {code} ({names.get(code)}) en double, lignes {lines} : {what}"
            )
        part = part_notes.get(code, "")
        if len(classes) > 1:
            conflict = f"lignes en conflit : {lines}" + (f" ; {part}" if part else "")
            rows.append((decree_id, code, "", lines, via, conflict))
        else:
            rows.append((decree_id, code, classes[0], lines, via, part))
    unclassed = _unclassed(store, report.decree.replaces)
    for code in missing:
        absent = f"commune {code} ({names.get(code)}) de la région absente de l'annexe"
        hint = _later_hint(store, code, report.decree.cog_vintage)
        if code in unclassed:  # nothing lost: it stays without class, « à vérifier »
            report.add("avertissement", f"{absent}, déjà sans classe dans l'arrêté remplacé{hint}")
            continue
        report.add("erreur", absent + hint)
    return pd.DataFrame(rows, columns=["decree_id", "code", "zone", "lines", "via", "note"])
