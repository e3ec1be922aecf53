"""Load a decree's annex (the class of every commune) into a built store, and back out.

An ARS publishes its zoning as an annex table: one row per commune (INSEE code, or
commune name with its département or postal code), per QPV (QPV code) or per territoire
de vie-santé (expanded into communes through a TVS → commune table). The class is
written « ZIP », « zone d'intervention prioritaire », « 1_ZIP », « Hors zonage »...

:func:`import_decree` reads such a table, resolves every row to the store's communes
(codes of another vintage through the INSEE movements), validates it (unknown and
duplicated codes, communes of the region missing, bad class labels, population shares
against the caps) and adds the decree to the store without rebuilding it
(:func:`write_decree`). :func:`export_decree` writes a loaded decree back as an
annex-like table: the import's round trip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.sources.names import name_keys, normalize_name
from zoning.store.annex_vocab import (
    LEVEL_NAMES,
    QPV_CODE,
    ClassLabel,
    annex_header_score,
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
from zoning.store.integrity import record_store_files, store_lock
from zoning.store.report import region_lines, region_summary
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import read, resolved and found wrong, line by line.

    ``places`` names a row's place in the file when a line number does not (a PDF:
    « page 3, ligne 12 »). ``zones`` is the class table the import made (written or not),
    ``comparison`` the changes from the decree it replaces: the preview.
    """

    decree: Decree
    path: Path
    rows_read: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    qpv_rows: int = 0
    written: bool = False
    kind: str = "tableau"
    places: dict[int, str] = field(default_factory=dict)
    zones: pd.DataFrame | None = None
    qpv: pd.DataFrame | None = None
    comparison: Any = None
    file_name: str = ""  # the name the person gave the file (an upload is saved apart)

    @property
    def name(self) -> str:
        """The annex's file name as its owner knows it."""
        return self.file_name or self.path.name

    def add(self, level: str, message: str, line: int | None = None) -> None:
        """Record one finding (level: « erreur », « avertissement », « info »)."""
        place = self.places.get(line, f"ligne {line}") if line else ""
        self.lines.append({"line": line, "place": place, "level": level, "message": message})

    def count(self, level: str) -> int:
        """How many findings of that level."""
        return sum(1 for item in self.lines if item["level"] == level)

    def unresolved(self) -> list[dict[str, Any]]:
        """Rows of the file not read or not resolved to a commune (errors with a place)."""
        return [i for i in self.lines if i["level"] == "erreur" and i.get("place")]

    def text_lines(self) -> list[str]:
        """The report as plain French lines (printed by the command, saved as Markdown)."""
        out = [
            f"Import de l'arrêté {self.decree.id} — {self.decree.provenance()}",
            f"  fichier : {self.name} ({self.kind}) ; lignes lues : {self.rows_read} ; "
            f"lignes non lues ou non rattachées : {len(self.unresolved())} ; "
            f"lignes QPV : {self.qpv_rows}",
            f"  erreurs : {self.count('erreur')} ; avertissements : "
            f"{self.count('avertissement')} ; informations : {self.count('info')}",
        ]
        if self.summary:
            out += region_lines(self.summary)
            if not self.summary["caps"]:
                out.append("  plafonds de population de l'arrêté : inconnus (non comparés)")
        if self.comparison is not None:
            out += self.comparison.summary_lines()
            out += [
                "  " + " ; ".join(str(v) for v in row) for row in self.comparison.change_rows()[:40]
            ]
            if len(self.comparison.changes) > 40:
                more = len(self.comparison.changes) - 40
                out.append(f"  … {more} autres changements (zoning compare après adoption)")
        for item in self.lines:
            where = f"{item['place']} : " if item.get("place") else ""
            out.append(f"  [{item['level']}] {where}{item['message']}")
        out.append(
            "  magasin mis à jour"
            if self.written
            else "  magasin NON modifié (aperçu : adoptez sans --apercu pour écrire)"
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, saved beside the Markdown report."""
        return {
            "decree": self.decree.to_dict(),
            "file": self.name,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "qpv_rows": self.qpv_rows,
            "summary": self.summary,
            "lines": self.lines,
        }


def _read_annex(
    path: Path, sheet: str | None, report: ImportReport
) -> tuple[list[str], list[list[str]], list[int]]:
    """Headers, rows and row numbers of an annex: a PDF, a CartoSanté export or a table."""
    if path.suffix.lower() == ".pdf":
        from zoning.sources.annex_pdf import read_annex_pdf

        annex = read_annex_pdf(path)
        report.kind = f"PDF, {annex.pages} pages"
        numbers = list(range(1, len(annex.rows) + 1))
        report.places = dict(zip(numbers, annex.places, strict=True))
        for n, (place, message) in enumerate(annex.problems, start=len(numbers) + 1):
            report.places[n] = place
            report.rows_read += 1
            report.add("erreur", f"{message} : non lu", n)
        return annex.headers, annex.rows, numbers
    headers, rows, lines = read_annex_table(path, sheet)
    norm = [normalize_name(h) for h in headers[:2]]
    if norm == ["CODE", "LIBELLE"]:
        report.kind = "export CartoSanté"
    return headers, rows, lines


def read_annex_table(
    path: Path, sheet: str | None = None
) -> tuple[list[str], list[list[str]], list[int]]:
    """Headers, text rows and the file line of each row of an annex (CSV, XLSX or ODS).

    Read by the project's one table reader (:func:`zoning.io.read.read_table`): per-line
    encoding, delimiter, workbooks with the sheet chosen by content, title lines above
    the header.
    """
    from zoning.io.read import read_table

    try:
        table = read_table(path, sheet, annex_header_score, what="annexe d'arrêté")
    except InvalidInputError as exc:
        raise InvalidInputError(
            f"{exc} (une colonne de classe — « Classe », « Zonage » — et une colonne de "
            "commune — « Code INSEE », « Commune » — ou de QPV / TVS sont attendues ; un PDF "
            "doit d'abord être converti en tableau)"
        ) from exc
    return table.headers, table.rows, table.lines


class _Resolver:
    """Row → commune codes of the store's vintage, with a French note."""

    def __init__(self, store: ZoningStore, region: str) -> None:
        from zoning.locate import lookup

        self.store = store
        self.lookup = lookup
        communes = store.communes(["code", "name", "departement", "region"])
        self.region_of = dict(zip(communes["code"], communes["region"], strict=True))
        self.by_name: dict[tuple[str, str], set[str]] = {}
        self.by_exact: dict[tuple[str, str], set[str]] = {}
        for code, name, dep in zip(
            communes["code"], communes["name"], communes["departement"], strict=True
        ):
            self.by_exact.setdefault((str(dep), normalize_name(str(name))), set()).add(str(code))
            for key in name_keys(str(name)):
                self.by_name.setdefault((str(dep), key), set()).add(str(code))
        # Names given to communes after the store's vintage (communes nouvelles...).
        moves = store.code_map()
        later = moves.loc[(moves["date"] != "") & (moves["new_name"] != "")]
        for code, name in zip(later["new_code"], later["new_name"], strict=True):
            dep = str(code)[:3] if str(code).startswith("97") else str(code)[:2]
            for key in name_keys(str(name)):
                self.by_name.setdefault((dep, key), set()).add(str(code))

    def by_code(self, raw: str) -> tuple[list[str], str]:
        codes, notes = self.lookup.resolve_code(self.store, raw)
        if codes == [raw.strip().upper().zfill(5)]:
            return codes, ""  # a code of the store's vintage: later events are not news here
        return codes, "code d'un autre millésime : " + "; ".join(notes)

    def by_name_dep(self, name: str, dep: str) -> tuple[list[str], str]:
        dep = dep.strip().upper().zfill(2) if dep.strip().isdigit() else dep.strip().upper()
        # The name as written first (« La Vergne » is not « Vergné »), then its keys.
        hits = set(self.by_exact.get((dep, normalize_name(name)), set()))
        if len(hits) != 1:
            for key in name_keys(name):
                hits |= self.by_name.get((dep, key), set())
        if not hits:
            raise NotFoundError(f"aucune commune « {name} » dans le département {dep}")
        if len(hits) > 1:
            raise AmbiguousError(
                f"« {name} » désigne plusieurs communes du département {dep} : "
                + ", ".join(sorted(hits))
            )
        code = hits.pop()
        codes, note = self.by_code(code)
        return codes, f"nom « {name} » ({dep}) → {code}" + (f" ; {note}" if note else "")

    def by_postcode(self, name: str, postcode: str) -> tuple[list[str], str]:
        codes = self.lookup.find_communes(self.store, postcode, name)
        if len(codes) > 1:
            raise AmbiguousError(
                f"« {name} » au {postcode} désigne plusieurs communes : {', '.join(codes)}"
            )
        return codes, f"nom « {name} » ({postcode}) → {codes[0]}"


def read_tvs_table(path: Path) -> dict[str, list[str]]:
    """TVS code -> commune codes, from a two-column table (TVS code, INSEE code)."""
    headers, rows = _read_plain(path)
    norm = [normalize_name(h) for h in headers]
    tvs_col = next((i for i, h in enumerate(norm) if "TVS" in h or "TERRITOIRE" in h), None)
    code_col = next(
        (i for i, h in enumerate(norm) if "INSEE" in h or h in ("CODGEO", "COM", "DEPCOM")),
        None,
    )
    if tvs_col is None or code_col is None:
        raise InvalidInputError(
            f"{Path(path).name} : colonnes « TVS » et « code INSEE » attendues "
            f"(en-tête lu : {', '.join(headers)})"
        )
    table: dict[str, list[str]] = {}
    for row in rows:
        if len(row) > max(tvs_col, code_col) and row[tvs_col] and row[code_col]:
            table.setdefault(row[tvs_col].strip(), []).append(row[code_col].strip())
    return table


def _read_plain(path: Path) -> tuple[list[str], list[list[str]]]:
    """First row as header: for the TVS table, which has no class column."""
    from zoning.io.read import read_table

    table = read_table(path, what="table TVS")
    return table.headers, table.rows


def _record(
    store: ZoningStore,
    decree_id: str,
    region: str,
    adopted: date | None,
    in_force: date | None,
    replaces: str | None,
    caps: dict[str, float],
    file_name: str,
) -> tuple[Decree, list[str]]:
    """The decree record to store: the described one completed, or a new one."""
    warnings: list[str] = []
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
        changes["cog_vintage"] = int(store.meta["cog_vintage"])
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
        cog_vintage=int(store.meta["cog_vintage"]),
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
        store, decree_id, region, adopted, in_force, replaces, caps or {}, file_name
    )
    report = ImportReport(decree, path, file_name=file_name)
    for warning in warnings:
        report.add("avertissement", warning)
    headers, rows, lines = _read_annex(path, sheet, report)
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
    resolver = _Resolver(store, region)
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
            codes, note = _resolve_row(resolver, tvs, cell, row)
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
    if not dry_run:
        adopt(store, report, existing)
    return report


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


def _resolve_row(
    resolver: _Resolver,
    tvs: dict[str, list[str]] | None,
    cell: Callable[[list[str], str], str],
    row: list[str],
) -> tuple[list[str], str]:
    code = cell(row, "code")
    if code:
        return resolver.by_code(code)
    tvs_code = cell(row, "tvs")
    name = cell(row, "name")
    if tvs_code and tvs is None and not name:
        raise InvalidInputError(
            f"territoire de vie-santé « {tvs_code} » sans ses communes : donnez la table "
            "TVS → communes avec --tvs FICHIER"
        )
    if tvs_code and tvs is not None and (tvs_code in tvs or not name):
        members = tvs.get(tvs_code)
        if not members:
            raise NotFoundError(f"TVS « {tvs_code} » absent de la table TVS → communes")
        out: list[str] = []
        for member in members:
            out += resolver.by_code(member)[0]
        return sorted(set(out)), f"TVS {tvs_code} → {len(set(out))} communes"
    if name and cell(row, "postcode"):
        return resolver.by_postcode(name, cell(row, "postcode"))
    if name and cell(row, "departement"):
        return resolver.by_name_dep(name, cell(row, "departement"))
    raise InvalidInputError(
        "ni code INSEE, ni nom de commune avec département ou code postal, ni code QPV"
    )


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
    for code in missing:
        report.add("erreur", f"commune {code} ({names.get(code)}) de la région absente de l'annexe")
    return pd.DataFrame(rows, columns=["decree_id", "code", "zone", "lines", "via", "note"])
