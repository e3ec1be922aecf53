"""The build report: what was read, matched and left out, and the population shares
of each class against the decree's caps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from zoning.io.atomic import write_text
from zoning.io.french import format_number
from zoning.store.decrees import Decree

CLASS_ORDER = ["ZIP", "ZAC", "ZAR", "HZ", "ND", ""]


def region_summary(
    decree: Decree, communes: pd.DataFrame, zones: pd.DataFrame, region_name: str
) -> dict[str, Any]:
    table = zones.loc[zones["decree_id"] == decree.id].merge(
        communes[["code", "name", "population"]], on="code", how="left"
    )
    total_pop = int(table["population"].sum())
    classes: dict[str, Any] = {}
    for zone, group in table.groupby("zone"):
        label = str(zone) or "non classée"
        pop = int(group["population"].sum())
        classes[label] = {
            "communes": len(group),
            "population": pop,
            "share": round(100 * pop / total_pop, 2) if total_pop else 0.0,
        }
    unclassified = table.loc[table["zone"] == "", ["code", "name", "note"]]
    within = {
        zone: classes.get(zone, {"share": 0.0})["share"] <= cap for zone, cap in decree.caps.items()
    }
    return {
        "name": region_name,
        "decree": decree.id,
        "decree_title": decree.provenance(),
        "communes": len(table),
        "classified": int((table["zone"] != "").sum()),
        "population": total_pop,
        "classes": dict(
            sorted(
                classes.items(),
                key=lambda kv: (
                    CLASS_ORDER.index(kv[0]) if kv[0] in CLASS_ORDER else len(CLASS_ORDER)
                ),
            )
        ),
        "caps": decree.caps,
        "within_caps": within,
        "unclassified": unclassified.to_dict("records"),
    }


def build_report(
    *,
    communes: pd.DataFrame,
    polygons: Any,
    matched: pd.DataFrame,
    zones: pd.DataFrame,
    decrees: list[Decree],
    regions: pd.DataFrame,
    qpv_communes: pd.DataFrame,
    qpv_polygons: Any,
) -> dict[str, Any]:
    """Assemble the report as a JSON-able dict."""
    codes = set(communes["code"])
    poly_codes = set(polygons["code"])
    without = communes.loc[~communes["code"].isin(poly_codes), ["code", "name", "region"]]
    extra = sorted(poly_codes - codes)
    unmatched = matched.loc[
        matched["codes"].str.len() == 0, ["line", "postcode", "name", "raw_zone", "reason"]
    ]
    names = dict(zip(regions["REG"], regions["LIBELLE"], strict=True))
    return {
        "communes": {
            "total": len(communes),
            "with_polygon": len(codes & poly_codes),
            "without_polygon": without.to_dict("records"),
            "polygon_codes_not_in_cog": extra,
        },
        "zoning_rows": {
            "read": len(matched),
            "matched": int((matched["codes"].str.len() > 0).sum()),
            "by_via": {
                k: int(v)
                for k, v in matched.loc[matched["via"] != "", "via"].value_counts().items()
            },
            "unmatched": unmatched.to_dict("records"),
        },
        "regions": {
            d.region: region_summary(d, communes, zones, names.get(d.region, d.region))
            for d in decrees
            if (zones["decree_id"] == d.id).any()
        },
        "qpv": {
            "commune_rows": len(qpv_communes),
            "communes_with_qpv": int(qpv_communes["commune"].nunique()) if len(qpv_communes) else 0,
            "polygons": len(qpv_polygons),
        },
    }


def region_lines(summary: dict[str, Any]) -> list[str]:
    """Plain-text lines for one region: communes, classes, shares against caps."""
    lines = [
        f"Région {summary['name']} — {summary['decree_title']}",
        # Two blanks where the comma-separated parts meet: the report has always read so.
        f"  communes : {summary['communes']}  classées : {summary['classified']}  "
        f"population : {format_number(int(summary['population']), separator=' ')}",
    ]
    for zone, figures in summary["classes"].items():
        cap = summary["caps"].get(zone)
        cap_text = ""
        if cap is not None:
            verdict = "respecté" if summary["within_caps"][zone] else "DÉPASSÉ"
            cap_text = f" (plafond de l'arrêté {cap} % : {verdict})"
        lines.append(
            f"  {zone:<12} {figures['communes']:>6} communes  "
            f"{figures['share']:>6.2f} % de la population{cap_text}"
        )
    return lines


def write_report(report: dict[str, Any], meta: dict[str, Any], path: Path) -> None:
    """Write the report as Markdown, unmatched rows and unclassified communes listed."""
    out = [
        "# Rapport de construction du magasin de zonage",
        "",
        f"- outil : zoning {meta['tool_version']}, construit le {meta['built_at']}",
        f"- millésime des codes communes : COG {meta['cog_vintage']}",
        "",
        "## Sources",
        "",
    ]
    for sid, src in meta["sources"].items():
        files = ", ".join(
            f"{f['name']} ({f['size']} o, sha256 {f['sha256'][:12]}…)" for f in src["files"][:3]
        )
        more = f" et {len(src['files']) - 3} autres" if len(src["files"]) > 3 else ""
        out.append(f"- **{sid}** — {src['title']} — millésime : {src['vintage']} — {files}{more}")
    changed = report.get("accepted_changes") or []
    conform = "non" if changed else "oui"
    out += ["", f"Fichiers conformes au manifeste (taille et sha256) : {conform}"]
    out += [f"- **accepté par --accept-changed** : {line}" for line in changed]
    c = report["communes"]
    z = report["zoning_rows"]
    out += [
        "",
        "## Communes",
        "",
        f"{c['total']} communes, {c['with_polygon']} avec un contour.",
    ]
    out += [f"- sans contour : {r['code']} {r['name']}" for r in c["without_polygon"]]
    out += [f"- contour sans commune au COG : {code}" for code in c["polygon_codes_not_in_cog"]]
    out += [
        "",
        "## Lignes du fichier de zonage",
        "",
        f"{z['read']} lues, {z['matched']} rattachées à une commune.",
        "",
    ]
    out += [f"- {via} : {n}" for via, n in z["by_via"].items()]
    out += [
        "",
        "### Non rattachées",
        "",
        "| ligne | code postal | nom | classe | raison |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {r['line']} | {r['postcode']} | {r['name']} | {r['raw_zone']} | {r['reason']} |"
        for r in z["unmatched"]
    ]
    pending = [Decree.from_dict(d) for d in meta.get("decrees", [])]
    pending = [d for d in pending if not d.classes_loaded]
    if pending:
        out += ["", "## Arrêtés connus sans classement chargé", ""]
        out += [
            f"- {d.provenance()} : annexe absente des sources, chargez-la avec "
            f"`{d.import_command()}`"
            for d in pending
        ]
    out += ["", "## Régions", ""]
    for summary in report["regions"].values():
        out += ["```", *region_lines(summary), "```", ""]
        if summary["unclassified"]:
            out += ["Communes sans classe :", ""]
            out += [f"- {r['code']} {r['name']} : {r['note']}" for r in summary["unclassified"]]
            out.append("")
    write_text(path, "\n".join(out) + "\n")
