"""The store side of decree imports: add a decree's classes, take them out, export them.

Every store write of an import is here (:func:`write_decree`), with its audit record
(the file adopted: name, sha256, size, date, tool version), :func:`remove_decree` that
undoes an adoption, :func:`export_table` (the import's round trip) and
:func:`add_records` (decree records a store lacks).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zoning.errors import InvalidInputError
from zoning.io.atomic import atomic_path, write_text
from zoning.io.write import write_json
from zoning.store.decrees import Decree
from zoning.store.integrity import read_meta, record_store_files, store_lock
from zoning.store.keyed import FILENAME as KEYED_FILENAME
from zoning.store.store import ZoningStore

if TYPE_CHECKING:
    from zoning.store.import_report import ImportReport

log = logging.getLogger(__name__)

# Folder of the store holding one import report per decree.
REPORTS_DIR = "decree_reports"
# Per-decree QPV classes (rows of the annex given by QPV code, or QPV-level classes).
QPV_TABLE = "decree_qpv"
QPV_COLUMNS = ["decree_id", "code_qp", "commune", "zone", "level", "label", "line"]


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

    _write_qpv(store_path, decree.id, qpv)

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


def _write_qpv(store_path: Path, decree_id: str, qpv: pd.DataFrame) -> None:
    """Replace one decree's QPV-level rows (stores of older imports lack some columns)."""
    qpv_path = store_path / f"{QPV_TABLE}.parquet"
    qpv_all = pd.read_parquet(qpv_path) if qpv_path.is_file() else pd.DataFrame()
    qpv_all = qpv_all.reindex(columns=QPV_COLUMNS).fillna({"commune": "", "level": "QPV"})
    qpv_all = qpv_all.loc[qpv_all["decree_id"] != decree_id]
    if len(qpv):
        qpv_all = pd.concat([qpv_all, qpv.reindex(columns=QPV_COLUMNS)], ignore_index=True)
    qpv_all = qpv_all.fillna("").astype({"line": "int64"})
    _atomic(qpv_path, lambda p: qpv_all.to_parquet(p, index=False))


def audit_record(report: ImportReport, previous: Decree | None) -> dict[str, Any]:
    """What was adopted: the file (name, sha256, size), when, by which tool, from what.

    ``previous`` is the decree record before the import (a record described in
    ``data/decrees`` without classes, or ``None`` for a new id): what
    :func:`remove_decree` puts back. Re-importing an imported decree keeps the first one.
    """
    import hashlib
    from datetime import UTC, datetime

    from zoning import __version__

    digest = hashlib.sha256()
    with open(report.path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if previous is not None and previous.audit:
        before = previous.audit.get("previous")
    else:
        before = previous.to_dict() if previous is not None else None
    return {
        "file": report.name,
        "sha256": digest.hexdigest(),
        "size": report.path.stat().st_size,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": __version__,
        "kind": report.kind,
        "rows_read": report.rows_read,
        "errors": report.count("erreur"),
        "previous": before,
    }


def remove_decree(store_path: Path, decree_id: str) -> str:
    """Undo an adoption: the decree's classes out of the store, its record as before.

    Only an imported decree (one with an audit record) can be removed: the classes
    loaded by the build come from the sources and their report; taking them out would
    leave a store that disagrees with its build — rebuild instead. A record described in
    ``data/decrees`` goes back to « classes non chargées »; a record the import created
    is dropped, and the replaced decree's « remplacé par » link with it.

    Returns
    -------
    str
        A French sentence saying what was done.
    """
    store_path = Path(store_path)
    with store_lock(store_path):
        meta = read_meta(store_path)
        records = [Decree.from_dict(d) for d in meta["decrees"]]
        target = next((d for d in records if d.id == decree_id), None)
        if target is None:
            raise InvalidInputError(f"arrêté {decree_id} inconnu du magasin")
        if not target.audit:
            raise InvalidInputError(
                f"l'arrêté {decree_id} n'a pas été importé (ses classes viennent de la "
                "construction du magasin, depuis les sources) : il ne peut pas être retiré ; "
                "reconstruisez le magasin (zoning data build) si ses sources sont fausses"
            )
        previous = target.audit.get("previous")
        out = []
        for record in records:
            if record.id == decree_id:
                if previous:
                    out.append(Decree.from_dict(previous))
                continue
            if record.replaced_by == decree_id and not (previous and previous.get("replaces")):
                record = replace(record, replaced_by="")
            out.append(record)
        zones = pd.read_parquet(store_path / "zones.parquet")
        zones = zones.loc[zones["decree_id"] != decree_id]
        _atomic(store_path / "zones.parquet", lambda p: zones.to_parquet(p, index=False))
        _write_qpv(store_path, decree_id, pd.DataFrame(columns=QPV_COLUMNS))
        with sqlite3.connect(store_path / KEYED_FILENAME) as db:
            db.execute("DELETE FROM zones WHERE decree_id = ?", (decree_id,))
        sqlite3.connect(store_path / KEYED_FILENAME).close()
        for suffix in (".md", ".json"):
            (store_path / REPORTS_DIR / f"{decree_id}{suffix}").unlink(missing_ok=True)
        meta["decrees"] = [d.to_dict() for d in out]
        record_store_files(store_path, meta)
    what = "remis à « classes non chargées »" if previous else "retiré du magasin"
    log.info("decree %s removed from %s", decree_id, store_path)
    return (
        f"arrêté {decree_id} : classes retirées (annexe {target.audit['file']} adoptée le "
        f"{target.audit['date'][:10]}), {what}"
    )


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
