"""Helpers of the export tests: the command as a user runs it, a writable store copy, and
the raw source files read with the standard library only (never the tool's code)."""

from __future__ import annotations

import csv
import json
import subprocess
from collections import Counter
from pathlib import Path

from zoning_cli import run_zoning

REPO = Path(__file__).resolve().parents[2]
NA = "75"
OLD = "ars-na-2022-04-25"


def zoning(store: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m zoning ARGS`` on ``store``, offline (no address leaves the machine)."""
    offline = {"ZONING_ADDOK_URL": "off", "ZONING_CACHE": str((cwd or Path.cwd()) / "cache")}
    return run_zoning(store, *args, cwd=cwd, env=offline)


def raw_na_communes(sources: Path) -> dict[str, str]:
    """COG 2022 communes of Nouvelle-Aquitaine: code -> département."""
    with (sources / "cog_communes" / "cog2022_communes.csv").open(encoding="utf-8") as handle:
        return {
            row["COM"]: row["DEP"]
            for row in csv.DictReader(handle)
            if row["TYPECOM"] == "COM" and row["REG"] == NA
        }


def raw_population(sources: Path, codes: list[str]) -> dict[str, int]:
    """INSEE municipal population (PMUN 2019) of the given communes."""
    path = sources / "cog_communes" / "population_communes_cog2021_pop2019.csv"
    with path.open(encoding="utf-8") as handle:
        rows = {row["COM"]: int(row["PMUN"]) for row in csv.DictReader(handle, delimiter=";")}
    return {code: rows[code] for code in codes}


def raw_qpv_pairs(sources: Path, communes: set[str]) -> list[tuple[str, str]]:
    """(commune, QPV code) pairs listed by ANCT's file for these communes."""
    doc = json.loads(
        (sources / "qpv" / "anct_qpv2024_communes_centroides.geojson").read_text(encoding="utf-8")
    )
    pairs = []
    for feature in doc["features"]:
        props = feature["properties"]
        if props["insee_com"] in communes:
            pairs += [(props["insee_com"], c.strip()) for c in props["code_qp"].split(",")]
    return pairs


def raw_posts(result: Path) -> tuple[int, int]:
    """Posts and (post, site) rows of a batch result with both ends placed."""
    doc = json.loads(result.read_text(encoding="utf-8"))
    placed = Counter()
    for feature in doc["features"]:
        props = feature["properties"]
        ends = ("lon_etablissement", "lat_etablissement", "lon_site1", "lat_site1")
        if all(props.get(key) not in (None, "") for key in ends):
            placed[props["Identifiant"]] += 1
    return len(placed), sum(placed.values())
