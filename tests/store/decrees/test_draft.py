"""A draft zoning (``zoning draft``): gauges against the raw population file, the annex
imported by ``zoning data import-decree`` and compared by ``zoning compare``.

Expected populations are summed from the raw INSEE file
(``cog_communes/population_communes_cog2021_pop2019.csv``, PMUN) and the départements'
communes from the raw COG 2022 file, without the tool's code. The territory table of the
last test is SYNTHETIC (no TVS → commune table is in the sources: SOURCES.md, « Not
found »): three real communes under a made-up territory code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from decree_helpers import OLD, open_store, zoning
from openpyxl import load_workbook

from zoning.store import draft as drafts

POPULATION = "cog_communes/population_communes_cog2021_pop2019.csv"
COG = "cog_communes/cog2022_communes.csv"


def raw_population(sources: Path) -> dict[str, tuple[str, str, int]]:
    """INSEE code -> (région, département, municipal population), from the raw file."""
    path = sources / POPULATION
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["COM"]: (r["REG"], r["DEP"], int(r["PMUN"]))
            for r in csv.DictReader(handle, delimiter=";")
        }


def raw_communes(sources: Path, dep: str) -> set[str]:
    """COG 2022 communes of a département, from the raw file."""
    path = sources / COG
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["COM"] for r in csv.DictReader(handle) if r["TYPECOM"] == "COM" and r["DEP"] == dep
        }


def share(pop: int, total: int) -> float:
    return round(100 * pop / total, 2)


def test_gauges_against_raw_population(store_copy: Path, sources_dir: Path) -> None:
    pops = raw_population(sources_dir)
    total = sum(p for reg, _, p in pops.values() if reg == "75")
    by_dep: dict[str, int] = {}
    for reg, dep, p in pops.values():
        if reg == "75":
            by_dep[dep] = by_dep.get(dep, 0) + p
    zip_pop = by_dep["23"]
    zac_pop = by_dep["33"] + by_dep["64"] + by_dep["17"]
    hz_pop = pops["87085"][2]

    store = open_store(store_copy)
    draft = drafts.start(store, None, "75", {"ZIP": 16.8, "ZAC": 45.8})
    for zone, kind, key in [
        ("ZIP", "departement", "23"),
        ("ZAC", "departement", "33"),
        ("zone d'action complémentaire", "departement", "64"),
        ("2_ZAC", "departement", "17"),
        ("Hors zonage", "commune", "87085"),
    ]:
        draft = drafts.apply(draft, drafts.operation(draft, zone, kind, key))
    gauges = {g.zone: g for g in drafts.gauges(draft)}
    assert gauges["ZIP"].population == zip_pop
    assert gauges["ZAC"].population == zac_pop
    assert gauges["HZ"].population == hz_pop
    assert gauges["ZIP"].share == pytest.approx(share(zip_pop, total), abs=0.011)
    assert gauges["ZAC"].share == pytest.approx(share(zac_pop, total), abs=0.011)
    # the cap and its 5 % margin (of the cap): ZAC crosses both, ZIP neither
    zac = 100 * zac_pop / total
    assert zac > 45.8 * 1.05
    assert gauges["ZAC"].over and gauges["ZAC"].status == drafts.OVER_MARGIN
    assert gauges["ZAC"].limit == pytest.approx(48.09)
    assert not gauges["ZIP"].over and gauges["ZIP"].status == drafts.UNDER_CAP
    # every commune of the region counted once, classed or not
    assert sum(g.population for g in gauges.values()) == total
    # the starting draft is unchanged (pure functions)
    assert drafts.start(store, None, "75").classes == {}


def test_draft_cli_import_compare(store_copy: Path, sources_dir: Path, tmp_path: Path) -> None:
    annex = tmp_path / "projet.xlsx"
    done = zoning(
        store_copy,
        "draft",
        "--depuis",
        OLD,
        "--classe",
        "ZIP",
        "--departement",
        "23",
        "-o",
        str(annex),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("PROJET de zonage")
    line = next(x for x in out.splitlines() if x.strip().startswith("ZIP ") and "%" in x)
    assert "au-dessus du plafond" in line and "plafond 16,8 %" in line
    # the changes: communes of the Creuse (raw COG) not ZIP in the 2022 decree
    before = open_store(store_copy).zones(OLD)
    old_class = dict(zip(before["code"], before["zone"], strict=True))
    expected = {c for c in raw_communes(sources_dir, "23") if old_class.get(c) != "ZIP"}
    assert f"Changements par rapport au départ : {len(expected)} commune(s)" in out
    assert f"--replaces {OLD} --cap ZIP=16.8 --cap ZAC=45.8 --apercu" in out

    book = load_workbook(annex, read_only=True)
    first = next(book["projet annexe"].iter_rows(values_only=True))
    assert str(first[0]).startswith("PROJET de zonage")
    provenance = dict(book["provenance"].iter_rows(min_row=2, values_only=True))
    assert str(provenance["statut"]).startswith("projet")
    assert "25 avril 2022" in str(provenance["arrêté de départ"])

    csv_annex = tmp_path / "projet.csv"
    done = zoning(
        store_copy, "draft", "--depuis", OLD, "--classe", "ZIP", "--departement", "23",
        "-o", str(csv_annex),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "PROJET de zonage" in csv_annex.read_text(encoding="utf-8-sig").splitlines()[0]

    for decree_id, path in (("projet-xlsx", annex), ("projet-csv", csv_annex)):
        done = zoning(
            store_copy, "data", "import-decree", str(path), "--region", "75", "--id", decree_id,
            "--in-force", "2030-01-01", "--replaces", OLD, "--cap", "ZIP=16.8",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        changes = tmp_path / f"{decree_id}.csv"
        done = zoning(store_copy, "compare", OLD, decree_id, "-o", str(changes))
        assert done.returncode == 0, done.stderr
        with changes.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert {r[0] for r in rows[1:]} == expected, decree_id
        assert all(r[5] == "ZIP" for r in rows[1:])
        # the cap went in with the import (--cap): the comparison judges both sides by it
        zip_line = next(x for x in done.stdout.splitlines() if x.strip().startswith("ZIP"))
        assert zip_line.count("(plafond 16.8 %)") == 2, zip_line


def test_draft_by_territory_synthetic_table(store_copy: Path, tmp_path: Path) -> None:
    table = tmp_path / "SYNTHETIQUE-territoires.csv"
    table.write_text(
        "Code TVS;Code INSEE\nT-SYNTH;23096\nT-SYNTH;23008\nT-SYNTH;23079\nT-AUTRE;87085\n",
        encoding="utf-8",
    )
    done = zoning(
        store_copy, "draft", "--depuis", OLD, "--tvs", str(table), "--classe", "HZ",
        "--territoire", "T-SYNTH",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "HZ : territoire T-SYNTH (3 commune(s))" in done.stdout
    assert "23096 Guéret (23) : ZIP → HZ" in done.stdout
    # a target before its class, an unknown commune: French errors, exit 2
    done = zoning(store_copy, "draft", "--depuis", OLD, "--commune", "23096")
    assert done.returncode == 2 and "donnez d'abord la classe" in done.stderr
    done = zoning(store_copy, "draft", "--depuis", OLD, "--classe", "ZIP", "--commune", "75056")
    assert done.returncode == 2 and "absente de la région 75" in done.stderr
