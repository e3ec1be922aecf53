"""Every remark of a varied batch is true of its own row (issue 23, defect 6).

A remark names a site, its commune, the commune's QPV and a decree: each is checked
against what the raw sources say of that row, computed here without the tool's code —
the commune of a hospital by point in the raw 2018 commune polygons (shapely), the QPV
of a commune from the ANCT QPV 2024 list (json), the decree in force on the row's
start date from ``data/decrees/*.toml`` (tomllib). Hospitals are real FINESS sites with
the coordinates of the Eurostat extract; communes are chosen unchanged since 2018.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from zoning.locate.finess import FinessLocator
from zoning.report.service import run_batch

REPO = Path(__file__).resolve().parents[2]
# Hospitals in communes with QPV (Bayonne, Guéret, Limoges, Niort, Bordeaux) and without
# (CH de Guéret's Croix Blanche site, Moutier-Rozeille).
HOSPITALS = ["640000162", "230000820", "870000064", "790000087", "330781360", "230004889"]
# Sites by INSEE code: with QPV (Bayonne, Guéret, Limoges, Niort) and without (Biarritz,
# Anglet, Aubusson, Sainte-Feyre).
SITE_CODES = ["64122", "64102", "64024", "23008", "23193", "23096", "87085", "79191"]
# Sites by a point inside the commune (no QPV perimeter for Nouvelle-Aquitaine).
SITE_POINTS = ["64122", "87085", "23096", "23008"]
DATES = [
    None,
    dt.date(2023, 11, 1),  # 2022 decree
    dt.date(2024, 5, 1),  # 2022 decree
    dt.date(2025, 6, 1),  # 2022 decree past its end, successor not yet in force
    dt.date(2026, 1, 15),  # same gap, days before the successor
    dt.date(2026, 2, 3),  # first day of the 2025 decree (annex not loaded)
    dt.date(2026, 9, 1),  # 2025 decree
]
HEADER = [
    "Identifiant",
    "FINESS établissement",
    "Demi-journées hôpital",
    "Site 1 code INSEE",
    "Site 1 longitude",
    "Site 1 latitude",
    "Site 2 code INSEE",
    "Date de début",
]
DECREE_NAME = re.compile(r"arrêté ARS Nouvelle-Aquitaine du \d{1,2} \w+ \d{4}")
QPV_CODE = re.compile(r"\bQ[NP]\w{6}\b")
WHOSE = re.compile(r"^(site principal|site (\d)) — (.+) \((\w{5})\) : (.+)$")
ZONE_MOTIF = re.compile(r"^zone sous-dense \(site (\d)\) : (.+?) \((\w{5})\)")


def _raw_communes(sources: Path, deps: set[str]) -> dict[str, tuple[str, Any]]:
    from shapely.geometry import shape

    out = {}
    for dep in deps:
        (path,) = (sources / "communes_france_geojson_2018").glob(f"communes-{dep}-*.geojson")
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            out[props["code"]] = (props["nom"], shape(feature["geometry"]))
    return out


def _qpv_lists(sources: Path) -> dict[str, set[str]]:
    path = sources / "qpv" / "anct_qpv2024_communes_centroides.geojson"
    out: dict[str, set[str]] = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        out.setdefault(props["insee_com"], set()).update(
            c.strip() for c in props["code_qp"].split(",")
        )
    return out


def _hospital_points(sources: Path) -> dict[str, tuple[float, float]]:
    path = sources / "finess" / "eurostat_healthcare_FR_hospitals_2020.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["id"].zfill(9): (float(r["lon"]), float(r["lat"]))
            for r in csv.DictReader(handle)
            if r["id"].zfill(9) in HOSPITALS
        }


def _decrees() -> list[dict[str, Any]]:
    records = []
    for path in sorted((REPO / "data" / "decrees").glob("*.toml")):
        record = tomllib.loads(path.read_text(encoding="utf-8"))
        if record.get("region") == "75":
            records.append(record)
    return sorted(records, key=lambda r: r["in_force_from"])


def allowed_decrees(on: dt.date | None, records: list[dict[str, Any]]) -> set[str]:
    """The decrees a remark of a row starting ``on`` may name, from the records' dates:
    the one in force; past a decree's end, it and its successor; without date, the
    latest with classes and any later one (named as not loaded)."""
    if on is None:
        loaded = [r for r in records if r.get("classes_loaded", True)]
        latest = loaded[-1]
        return {r["short"] for r in records if r["in_force_from"] >= latest["in_force_from"]}
    for record in records:
        until = record.get("in_force_until")
        if record["in_force_from"] <= on and (until is None or on < until):
            return {record["short"]}
    ended = [r for r in records if r.get("in_force_until") and r["in_force_until"] <= on]
    if ended:
        last = ended[-1]
        return {last["short"], *(r["short"] for r in records if r["id"] == last["replaced_by"])}
    return set()


@pytest.fixture(scope="module")
def truth(sources_dir: Path) -> dict[str, Any]:
    import shapely

    communes = _raw_communes(sources_dir, {"23", "33", "64", "79", "87"})
    hospitals = {}
    for number, (lon, lat) in _hospital_points(sources_dir).items():
        point = shapely.Point(lon, lat)
        (code,) = [c for c, (_, poly) in communes.items() if poly.covers(point)]
        hospitals[number] = code
    return {
        "communes": communes,
        "qpv": _qpv_lists(sources_dir),
        "hospitals": hospitals,
        "decrees": _decrees(),
    }


def _rows(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """About 150 varied rows: every hospital, site kind and date, mixed at random
    (fixed seed), some with a second site."""
    rng = random.Random(23)
    rows = []
    combos = [(h, s, d) for h in HOSPITALS for s in SITE_CODES + SITE_POINTS for d in DATES]
    rng.shuffle(combos)
    for n, (hospital, code, on) in enumerate(combos[:150], start=1):
        by_point = n % 3 == 0 and code in SITE_POINTS
        second = rng.choice(SITE_CODES) if n % 4 == 0 else None
        lon = lat = ""
        if by_point:
            inside = truth["communes"][code][1].representative_point()
            lon, lat = f"{inside.x:.6f}", f"{inside.y:.6f}"
        rows.append(
            {
                "ref": f"R{n:03d}",
                "hospital": hospital,
                "site1": code,
                "site2": second,
                "on": on,
                "cells": [
                    f"R{n:03d}",
                    hospital,
                    "5",
                    "" if by_point else code,
                    lon,
                    lat,
                    second or "",
                    on.strftime("%d/%m/%Y") if on else "",
                ],
            }
        )
    return rows


@pytest.fixture(scope="module")
def batch(
    store: Any,
    finess_locator: FinessLocator,
    truth: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[dict[str, Any], dict[str, str]]]:
    folder = tmp_path_factory.mktemp("remarks")
    rows = _rows(truth)
    src = folder / "candidats.csv"
    with src.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(r["cells"] for r in rows)
    out = folder / "resultats.csv"
    run_batch(src, "na-mg-2023", out, store, finess=finess_locator, progress=False)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        results = list(csv.DictReader(handle, delimiter=";"))
    assert [r["Identifiant"] for r in results] == [r["ref"] for r in rows]
    return list(zip(rows, results, strict=True))


def _own(row: dict[str, Any], truth: dict[str, Any]) -> dict[str, str]:
    """Whose -> commune code of the row, from the raw sources."""
    own = {"site principal": truth["hospitals"][row["hospital"]], "site 1": row["site1"]}
    if row["site2"]:
        own["site 2"] = row["site2"]
    return own


def _check_text(text: str, code: str, row: dict[str, Any], truth: dict[str, Any]) -> None:
    """QPV codes and decrees named in ``text`` (about commune ``code``) are the row's."""
    named_qpv = set(QPV_CODE.findall(text))
    assert named_qpv <= truth["qpv"].get(code, set()), (code, text)
    counted = re.search(r"la commune compte (\d+) QPV \(([^)]*)\)", text)
    if counted:
        listed = {c.strip() for c in counted[2].split(",")}
        assert listed == truth["qpv"][code] and int(counted[1]) == len(listed), text
    allowed = allowed_decrees(row["on"], truth["decrees"])
    if "aucun arrêté de zonage connu en vigueur le" not in text:  # lists every known decree
        assert set(DECREE_NAME.findall(text)) <= allowed, (row["on"], text)


def test_every_remark_is_about_its_own_row(
    batch: list[tuple[dict[str, Any], dict[str, str]]], truth: dict[str, Any]
) -> None:
    seen_qpv_notes = seen_undated = 0
    for row, result in batch:
        own = _own(row, truth)
        assert result["commune_etablissement"].endswith(f"({own['site principal']})")
        assert result["commune_site1"].endswith(f"({row['site1']})"), (row, result)
        for remark in filter(None, (result["remarques"] or "").split(" | ")):
            whose = WHOSE.match(remark)
            assert whose, f"{row['ref']} : remarque sans site ni commune : {remark}"
            label, _, name, code, text = whose.groups()
            assert code == own[label], (row["ref"], remark)
            assert name == truth["communes"][code][0], (row["ref"], remark)
            _check_text(text, code, row, truth)
            if "sans date" in text:
                assert row["on"] is None, (row["ref"], remark)
                seen_undated += 1
            seen_qpv_notes += "QPV (" in text
        for motif in filter(None, (result["motifs"] or "").split(" | ")):
            zone = ZONE_MOTIF.match(motif)
            if zone:
                site, name, code = zone.groups()
                assert code == own[f"site {site}"], (row["ref"], motif)
                assert name == truth["communes"][code][0], (row["ref"], motif)
                _check_text(motif, code, row, truth)
    # The batch did exercise what is checked.
    assert seen_qpv_notes > 5 and seen_undated > 5


def test_hospital_zone_never_speaks_for_the_site(
    batch: list[tuple[dict[str, Any], dict[str, str]]], truth: dict[str, Any]
) -> None:
    """The case of the issue: a site in Biarritz (no QPV) with the hospital in Bayonne
    (two QPV) gets no QPV note at all, and no « sans date » when a date was read."""
    cases = [
        (row, result)
        for row, result in batch
        if row["hospital"] == "640000162" and row["site1"] == "64122" and not row["site2"]
    ]
    assert cases
    for row, result in cases:
        remarks = result["remarques"] or ""
        assert "QN064" not in remarks and "QN064" not in (result["motifs"] or "")
        if row["on"] is not None:
            assert "sans date" not in remarks
