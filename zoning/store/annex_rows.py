"""An annex's rows as the store's tables: one zones row per commune of the region, and
the rows of classes given below the commune (QPV, GQ).

Communes the annex leaves out, or names twice with different classes, are kept without
class and reported (:class:`zoning.store.import_report.ImportReport`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from zoning.io.french import format_date
from zoning.sources.annex_vocab import LEVEL_NAMES, ClassLabel
from zoning.store.import_report import ImportReport
from zoning.store.store import ZoningStore


def qpv_row(
    decree_id: str, code_qp: str, commune: str, label: ClassLabel, line: int
) -> dict[str, Any]:
    """A row of the decree's QPV table: a QPV by its code, or a commune's part by its class."""
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


def part_classes(
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


def zones_rows(
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
        f"{format_date(date.fromisoformat(str(later['since'])))} : si l'annexe nomme les "
        f"communes du COG {year}, relancez avec --cog {year}"
    )
