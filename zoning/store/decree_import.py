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

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.io.atomic import atomic_path, write_text
from zoning.io.write import write_json
from zoning.sources.names import name_keys, normalize_name
from zoning.store.decrees import Decree
from zoning.store.integrity import read_meta, record_store_files, store_lock
from zoning.store.keyed import FILENAME as KEYED_FILENAME
from zoning.store.report import region_lines, region_summary
from zoning.store.store import ZoningStore

log = logging.getLogger(__name__)

# Folder of the store holding one import report per decree.
REPORTS_DIR = "decree_reports"
# Per-decree QPV classes (rows of the annex given by QPV code).
QPV_TABLE = "decree_qpv"

# Normalised spelling -> class. Leading ranks (« 1_ZIP ») are dropped before lookup.
_CLASS_SPELLINGS: dict[str, str] = {
    "ZIP": "ZIP",
    "ZONE D INTERVENTION PRIORITAIRE": "ZIP",
    "ZONES D INTERVENTION PRIORITAIRE": "ZIP",
    "INTERVENTION PRIORITAIRE": "ZIP",
    "ZAC": "ZAC",
    "ZONE D ACTION COMPLEMENTAIRE": "ZAC",
    "ZONES D ACTION COMPLEMENTAIRE": "ZAC",
    "ACTION COMPLEMENTAIRE": "ZAC",
    "ZV": "ZV",
    "ZONE DE VIGILANCE": "ZV",
    "VIGILANCE": "ZV",
    "ZAR": "ZAR",
    "ZONE D ACCOMPAGNEMENT REGIONAL": "ZAR",
    "ZONE D ACCOMPAGNEMENT REGIONALE": "ZAR",
    "ZONE D ACCOMPAGNEMENT REGIONAL ZAR": "ZAR",
    "HZ": "HZ",
    "HORS ZONAGE": "HZ",
    "HORS ZONE": "HZ",
    "NON ZONE": "HZ",
    "ND": "ND",
    "NON DISPONIBLE": "ND",
    "CLASSEMENT NON DISPONIBLE": "ND",
}
_RANK = re.compile(r"^\d+\s+")

# column role -> normalised header spellings (exact match first, then « contains »)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": (
        "CODE INSEE",
        "INSEE",
        "CODE COMMUNE",
        "CODGEO",
        "DEPCOM",
        "COM",
        "CODE INSEE COMMUNE",
    ),
    "qpv": ("CODE QPV", "QPV", "CODE QP", "CODE_QP"),
    "tvs": ("CODE TVS", "TVS", "TERRITOIRE DE VIE SANTE", "CODE TERRITOIRE DE VIE SANTE"),
    "name": ("COMMUNE", "NOM COMMUNE", "NOM DE LA COMMUNE", "LIBELLE COMMUNE", "LIBGEO", "NOM"),
    "departement": ("DEPARTEMENT", "DEP", "CODE DEPARTEMENT", "DPT"),
    "postcode": ("CODE POSTAL", "CP", "CODE_POSTAL"),
    "zone": ("CLASSE", "ZONAGE", "ZONE", "CLASSEMENT", "CATEGORIE", "ZONAGE MEDECINS"),
    "population": ("POPULATION", "POP", "POPULATION MUNICIPALE"),
}
_QPV_CODE = re.compile(r"^Q[NP]\d{3,}[A-Z]?\w*$")


@dataclass
class ImportReport:
    """What an import read, resolved and found wrong, line by line."""

    decree: Decree
    path: Path
    rows_read: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    qpv_rows: int = 0
    written: bool = False
    #: Not written: unreadable rows, and the errors not accepted.
    refused: bool = False

    def add(self, level: str, message: str, line: int | None = None) -> None:
        """Record one finding (level: « erreur », « avertissement », « info »)."""
        self.lines.append({"line": line, "level": level, "message": message})

    def count(self, level: str) -> int:
        """How many findings of that level."""
        return sum(1 for item in self.lines if item["level"] == level)

    def text_lines(self) -> list[str]:
        """The report as plain French lines (printed by the command, saved as Markdown)."""
        out = [
            f"Import de l'arrêté {self.decree.id} — {self.decree.provenance()}",
            f"  fichier : {self.path.name} ; lignes lues : {self.rows_read} ; "
            f"lignes QPV : {self.qpv_rows}",
            f"  erreurs : {self.count('erreur')} ; avertissements : "
            f"{self.count('avertissement')} ; informations : {self.count('info')}",
        ]
        if self.summary:
            out += region_lines(self.summary)
            if not self.summary["caps"]:
                out.append("  plafonds de population de l'arrêté : inconnus (non comparés)")
        for item in self.lines:
            where = f"ligne {item['line']} : " if item["line"] else ""
            out.append(f"  [{item['level']}] {where}{item['message']}")
        if self.written:
            out.append("  magasin mis à jour")
        elif self.refused:
            out.append("  magasin NON modifié (lignes illisibles : --accepter-erreurs)")
        else:
            out.append("  magasin NON modifié (--dry-run)")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, saved beside the Markdown report."""
        return {
            "decree": self.decree.to_dict(),
            "file": self.path.name,
            "rows_read": self.rows_read,
            "qpv_rows": self.qpv_rows,
            "summary": self.summary,
            "lines": self.lines,
        }


def _annex_header_score(cells: Sequence[str]) -> float:
    """A header row names a class column and a commune (or QPV, or TVS) column."""
    roles = _column_roles(list(cells))
    return (
        float(len(roles))
        if "zone" in roles and {"code", "name", "qpv", "tvs"} & set(roles)
        else 0.0
    )


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
        table = read_table(path, sheet, _annex_header_score, what="annexe d'arrêté")
    except InvalidInputError as exc:
        raise InvalidInputError(
            f"{exc} (une colonne de classe — « Classe », « Zonage » — et une colonne de "
            "commune — « Code INSEE », « Commune » — ou de QPV / TVS sont attendues ; un PDF "
            "doit d'abord être converti en tableau)"
        ) from exc
    return table.headers, table.rows, table.lines


def _column_roles(headers: list[str]) -> dict[str, int]:
    """Role -> column index, by exact normalised spelling first, then by word."""
    norm = [normalize_name(h) for h in headers]
    roles: dict[str, int] = {}
    for role, spellings in _COLUMNS.items():
        exact = [i for i, h in enumerate(norm) if h in spellings and i not in roles.values()]
        if exact:
            roles[role] = exact[0]
    for role, spellings in _COLUMNS.items():
        if role in roles:
            continue
        loose = [
            i
            for i, h in enumerate(norm)
            if h and i not in roles.values() and any(s in h for s in spellings if len(s) > 3)
        ]
        if loose:
            roles[role] = loose[0]
    return roles


def class_of(label: str) -> str | None:
    """The class a label means (``None`` when not recognised)."""
    norm = _RANK.sub("", normalize_name(label))
    return _CLASS_SPELLINGS.get(norm)


class _Resolver:
    """Row → commune codes of the store's vintage, with a French note."""

    def __init__(self, store: ZoningStore, region: str) -> None:
        from zoning.locate import lookup

        self.store = store
        self.lookup = lookup
        communes = store.communes(["code", "name", "departement", "region"])
        self.region_of = dict(zip(communes["code"], communes["region"], strict=True))
        self.by_name: dict[tuple[str, str], set[str]] = {}
        for code, name, dep in zip(
            communes["code"], communes["name"], communes["departement"], strict=True
        ):
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
        hits: set[str] = set()
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
    path: Path,
) -> tuple[Decree, list[str]]:
    """The decree record to store: the described one completed, or a new one."""
    warnings: list[str] = []
    existing = next((d for d in store.decrees if d.id == decree_id), None)
    origin = f"annexe importée ({path.name}) le {date.today():%d/%m/%Y}"
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
        title=f"Arrêté de zonage médecins ARS {region_name}{when} (annexe {path.name})",
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
    accept_errors: bool = False,
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
    accept_errors : bool
        Write even when rows could not be read (they are ignored, counted in the
        decree's provenance and listed in its report); otherwise such an annex is not
        written and the report says ``refused``.

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
    decree, warnings = _record(
        store, decree_id, region, adopted, in_force, replaces, caps or {}, path
    )
    report = ImportReport(decree, path)
    for warning in warnings:
        report.add("avertissement", warning)
    headers, rows, lines = read_annex_table(path, sheet)
    roles = _column_roles(headers)
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
        zone = class_of(raw_zone) if raw_zone else ""
        if zone is None:
            report.add("erreur", f"classe « {raw_zone} » non reconnue : ligne ignorée", line)
            continue
        qpv = cell(row, "qpv")
        if qpv and _QPV_CODE.match(qpv.upper()):
            qpv_rows.append(
                {"decree_id": decree_id, "code_qp": qpv.upper(), "zone": zone, "line": line}
            )
            report.qpv_rows += 1
            continue
        try:
            codes, note = _resolve_row(resolver, tvs, cell, row)
        except (NotFoundError, AmbiguousError, InvalidInputError) as exc:
            report.add("erreur", f"{exc} : ligne ignorée", line)
            continue
        if note:
            report.add("info", note, line)
        if not zone:
            report.add("avertissement", "commune listée sans classe", line)
        for code in codes:
            if resolver.region_of.get(code) != region:
                report.add(
                    "erreur",
                    f"commune {code} hors de la région {region} "
                    f"(région {resolver.region_of.get(code)}) : ignorée",
                    line,
                )
                continue
            assigned.setdefault(code, []).append((zone, line, note))
    zones = _zones_rows(store, decree_id, region, assigned, report)
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
    errors = report.count("erreur")
    if errors and not accept_errors and not dry_run:
        report.refused = True
        return report
    if errors:  # kept with the decree: its provenance says the table is incomplete
        unread = (
            f"{errors} erreur(s) à l'import (lignes illisibles ignorées, communes absentes) "
            f"(decree_reports/{decree_id}.md)"
        )
        report.decree = decree = replace(
            decree,
            classes_origin=f"{decree.classes_origin} ; {unread}",
            caveats=(
                *decree.caveats,
                f"Annexe incomplète : {unread} ; une commune absente du tableau est à vérifier.",
            ),
        )
    if not dry_run:
        # Under the store's lock, and its file digests re-recorded, so that the checks on
        # open and `zoning data check-store` keep holding after the import.
        with store_lock(store.path):
            write_decree(store.path, decree, zones, pd.DataFrame(qpv_rows), report)
            record_store_files(store.path)
        report.written = True
    return report


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
    if tvs_code and tvs is not None:
        members = tvs.get(tvs_code)
        if not members:
            raise NotFoundError(f"TVS « {tvs_code} » absent de la table TVS → communes")
        out: list[str] = []
        for member in members:
            out += resolver.by_code(member)[0]
        return sorted(set(out)), f"TVS {tvs_code} → {len(set(out))} communes"
    name = cell(row, "name")
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
        if len(classes) > 1:
            rows.append((decree_id, code, "", lines, via, f"lignes en conflit : {lines}"))
        else:
            rows.append((decree_id, code, classes[0], lines, via, ""))
    for code in missing:
        report.add("erreur", f"commune {code} ({names.get(code)}) de la région absente de l'annexe")
    return pd.DataFrame(rows, columns=["decree_id", "code", "zone", "lines", "via", "note"])


def write_decree(
    store_path: Path,
    decree: Decree,
    zones: pd.DataFrame,
    qpv: pd.DataFrame,
    report: ImportReport,
) -> None:
    """Add (or replace) one decree in a built store, without rebuilding it.

    Every store write of an import is here: the zones table (Parquet), the keyed
    SQLite index, the QPV classes, the import report and the decree list of
    ``store.json`` — written last, as it is what makes the decree known. Each file is
    written to a temporary name and renamed.
    """
    store_path = Path(store_path)
    all_zones = pd.read_parquet(store_path / "zones.parquet")
    all_zones = all_zones.loc[all_zones["decree_id"] != decree.id]
    all_zones = pd.concat([all_zones, zones[all_zones.columns]], ignore_index=True)
    _atomic(store_path / "zones.parquet", lambda p: all_zones.to_parquet(p, index=False))

    qpv_path = store_path / f"{QPV_TABLE}.parquet"
    qpv_all = (
        pd.read_parquet(qpv_path)
        if qpv_path.is_file()
        else pd.DataFrame(columns=["decree_id", "code_qp", "zone", "line"])
    )
    qpv_all = qpv_all.loc[qpv_all["decree_id"] != decree.id]
    if len(qpv):
        qpv_all = pd.concat([qpv_all, qpv], ignore_index=True)
    _atomic(qpv_path, lambda p: qpv_all.astype({"line": "int64"}).to_parquet(p, index=False))

    with sqlite3.connect(store_path / KEYED_FILENAME) as db:
        db.execute("DELETE FROM zones WHERE decree_id = ?", (decree.id,))
        db.executemany(
            "INSERT INTO zones (decree_id, code, zone, lines, via, note) VALUES (?,?,?,?,?,?)",
            zones[["decree_id", "code", "zone", "lines", "via", "note"]].itertuples(
                index=False, name=None
            ),
        )
    sqlite3.connect(store_path / KEYED_FILENAME).close()

    reports = store_path / REPORTS_DIR
    reports.mkdir(exist_ok=True)
    write_text(reports / f"{decree.id}.md", "\n".join(report.text_lines()) + "\n")
    write_json(reports / f"{decree.id}.json", report.to_dict(), indent=1)

    meta_path = store_path / "store.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    records = [Decree.from_dict(d) for d in meta["decrees"]]
    out = []
    for record in records:
        if record.id == decree.id:
            continue
        if decree.replaces and record.id == decree.replaces and not record.replaced_by:
            record = replace(record, replaced_by=decree.id)
        out.append(record)
    out.append(decree)
    meta["decrees"] = [d.to_dict() for d in out]
    write_json(meta_path, meta, indent=1)
    log.info("decree %s written to %s (%d communes)", decree.id, store_path, len(zones))


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, renamed over it when done."""
    with atomic_path(path) as tmp:
        write(tmp)


EXPORT_HEADERS = ["code_insee", "commune", "departement", "classe", "population"]


def export_table(store: ZoningStore, decree_id: str) -> tuple[list[str], list[list[Any]]]:
    """A loaded decree as annex-like rows: INSEE code, commune, département, class, population."""
    decree = store.decree(decree_id)
    if not decree.classes_loaded:
        raise InvalidInputError(
            f"l'arrêté {decree_id} n'a pas de classes dans le magasin : rien à exporter "
            f"(chargez son annexe avec `{decree.import_command()}`)"
        )
    zones = store.zones(decree_id)[["code", "zone"]]
    communes = store.communes()
    table = communes.merge(zones, on="code", how="inner").sort_values("code")
    rows = [
        [str(c), str(n), str(d), str(z), int(p)]
        for c, n, d, z, p in zip(
            table["code"],
            table["name"],
            table["departement"],
            table["zone"],
            table["population"],
            strict=True,
        )
    ]
    return EXPORT_HEADERS, rows


def add_records(store_path: Path, records: list[Decree]) -> list[str]:
    """Add to a store the decree records it lacks, without their classes.

    A store built before a record was described in ``data/decrees`` (a decree adopted
    since) learns of it this way, so that its dates are answered « à vérifier » with
    the command that loads the annex. Records the store has are left as they are.

    Returns
    -------
    list of str
        Ids of the records added.
    """
    with store_lock(Path(store_path)):
        meta = read_meta(Path(store_path))
        known = {d["id"] for d in meta["decrees"]}
        added = [replace(r, classes_loaded=False) for r in records if r.id not in known]
        if added:
            meta["decrees"] += [d.to_dict() for d in added]
            record_store_files(Path(store_path), meta)
    return [d.id for d in added]
