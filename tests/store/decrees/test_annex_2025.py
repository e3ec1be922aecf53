"""A SYNTHETIC 2025 annex keyed by COG 2025 codes and names (communes nouvelles of
2023-2025 under their new codes and names), with classes changed for a known set of
communes, imported as the decree of 30 December 2025 from the three PDF layouts and a
CartoSanté-shaped export.

Truth, independent of the tool: the COG 2022 communes and the raw INSEE movements
(``cog_mouvements_communes_to2026.csv``) give each 2022 commune the 2025 commune that
covers it; the 2025 classes are our own synthetic table (a commune nouvelle starts from
the 2022 class of the commune whose code it kept, then ``CHANGED`` overrides).

« Changed » across vintages: the decrees are compared commune by commune of the store's
vintage (COG 2022); a 2022 commune absorbed into a 2025 commune nouvelle takes the class
of the commune that covers it, so it is changed when that class differs from its own
2022 class (members of one commune nouvelle may thus change even when its code kept its
class).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

import pandas as pd
import pytest
from decree_helpers import NA, NEW, OLD, open_store, zoning
from synthetic_annex import (
    NA_DEPARTEMENTS,
    Commune,
    write_cartosante_csv,
    write_codes_pdf,
    write_lists_pdf,
    write_tvs_pdf,
)

from zoning.locate import lookup
from zoning.store.decree_compare import compare_decrees
from zoning.store.decree_import import import_decree
from zoning.store.import_report import ImportReport

SOURCES = Path(os.environ.get("ZONING_SOURCES_TEST", "/work/shared/data")) / "cog_communes"
VINTAGE = "2022-01-01"  # COG 2022: the state on 1 January 2022
UNTIL = "2025-01-01"  # COG 2025
SUBSET = ("16", "19", "33")  # the PDF layouts: Charente, Corrèze, Gironde
# SYNTHETIC class changes, by COG 2025 code: communes nouvelles (La Boixe, Val-de-Cognac,
# Aunac-sur-Charente, Les Trois-Saints), a renamed commune (Cadillac-sur-Garonne) and
# plain communes (Angoulême, Tulle, Mérignac).
CHANGED = ("16393", "16097", "16023", "19248", "33081", "16015", "19272", "33281")


def _other(zone: str) -> str:
    return "ZAC" if zone == "ZIP" else "ZIP"


@pytest.fixture(scope="module")
def truth(store_copy: Path) -> dict[str, dict[str, str]]:
    """2022 class, 2025 cover (code, name) and 2025 class of every 2022 commune of NA."""
    with open(SOURCES / "cog2022_communes.csv", encoding="utf-8") as f:
        names = {r["COM"]: r["LIBELLE"] for r in csv.DictReader(f) if r["TYPECOM"] == "COM"}
    zones = open_store(store_copy).zones(OLD)  # the 2022 classes (national zoning file)
    class22 = dict(zip(zones["code"].astype(str), zones["zone"].astype(str), strict=True))
    assert len(class22) == 4309
    cover = {c: (c, names[c]) for c in class22}
    with open(SOURCES / "cog_mouvements_communes_to2026.csv", encoding="utf-8") as f:
        moves = [
            r
            for r in csv.DictReader(f)
            if VINTAGE < r["DATE_EFF"] <= UNTIL and r["TYPECOM_AV"] == r["TYPECOM_AP"] == "COM"
        ]
    moves.sort(key=lambda r: r["DATE_EFF"])
    for _, events in groupby(moves, key=lambda r: r["DATE_EFF"]):
        step: dict[str, set[tuple[str, str]]] = {}
        for r in events:
            step.setdefault(r["COM_AV"], set()).add((r["COM_AP"], r["LIBELLE_AP"]))
        for c, (code, _) in cover.items():
            if code in step:
                (after,) = step[code]  # no split in NA over 2022-2025
                cover[c] = after
    class25: dict[str, str] = {}
    for c in sorted(cover, key=lambda c: (cover[c][0] != c, c)):  # code keeper first
        class25.setdefault(cover[c][0], class22[c])
    for code in CHANGED:
        class25[code] = _other(class25[code])
    return {
        "class22": class22,
        "cover": {c: code for c, (code, _) in cover.items()},
        "name25": {code: name for code, name in cover.values()},
        "class25": class25,
        "name22": {c: names[c] for c in class22},
    }


def annex_2025(truth: dict[str, dict[str, str]], deps: tuple[str, ...] = ()) -> list[Commune]:
    return [
        Commune(code, truth["name25"][code], code[:2], NA_DEPARTEMENTS[code[:2]], zone)
        for code, zone in sorted(truth["class25"].items())
        if not deps or code[:2] in deps
    ]


def expected_changes(truth: dict[str, dict[str, str]], deps: tuple[str, ...] = ()) -> set[str]:
    return {
        c
        for c, before in truth["class22"].items()
        if truth["class25"][truth["cover"][c]] != before and (not deps or c[:2] in deps)
    }


def test_truth_has_communes_nouvelles_and_renamings(truth: dict[str, dict[str, str]]) -> None:
    cover, names = truth["cover"], truth["name25"]
    assert (cover["16226"], names["16393"]) == ("16393", "La Boixe")
    assert cover["16355"] == "16097" and names["16097"] == "Val-de-Cognac"
    assert cover["16238"] == "16023" and names["16023"] == "Aunac-sur-Charente"
    assert cover["19223"] == cover["19230"] == "19248" and names["19248"] == "Les Trois-Saints"
    assert names["33081"] == "Cadillac-sur-Garonne"
    assert len(truth["class25"]) < len(truth["class22"])
    changed = expected_changes(truth)
    assert {"16226", "16393", "16355", "16097", "16238", "19223", "19248", "33081"} <= changed


def _preview(store_copy: Path, path: Path) -> ImportReport:
    return import_decree(
        open_store(store_copy),
        path,
        decree_id=NEW,
        region=NA,
        communes=lookup,
        replaces=OLD,
        dry_run=True,
        overwrite=True,  # a preview, whatever the order the tests run in
    )


@pytest.mark.parametrize(
    ("layout", "writer"),
    [
        ("codes", lambda p, c: write_codes_pdf(p, c, "words")),
        ("tvs", write_tvs_pdf),
        ("lists", write_lists_pdf),
    ],
)
def test_2025_annex_from_each_pdf_layout(
    store_copy: Path,
    tmp_path: Path,
    truth: dict[str, dict[str, str]],
    layout: str,
    writer: Callable[[Path, list[Commune]], Path],
) -> None:
    pdf = writer(tmp_path / f"SYNTHETIQUE-2025-{layout}.pdf", annex_2025(truth, SUBSET))
    report = _preview(store_copy, pdf)
    assert report.unresolved() == [], report.unresolved()[:5]
    assert report.comparison is not None
    changes = report.comparison.changes
    inside = set(changes.loc[changes["code_insee"].str[:2].isin(SUBSET), "code_insee"])
    assert inside == expected_changes(truth, SUBSET)
    assert report.zones is not None
    got = report.zones.set_index("code")["zone"]
    for c, cover in truth["cover"].items():
        if c[:2] in SUBSET and truth["class25"][cover]:
            assert got[c] == truth["class25"][cover], c


def _check(store: Path, *args: str) -> dict:
    result = zoning(store, "check", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_2025_annex_from_cartosante_preview_adopt_compare_check(
    store_copy: Path, tmp_path: Path, truth: dict[str, dict[str, str]]
) -> None:
    path = write_cartosante_csv(tmp_path / "SYNTHETIQUE-2025-cartosante.csv", annex_2025(truth), [])
    expected = expected_changes(truth)
    args = ["data", "import-decree", str(path), "--region", NA, "--id", NEW, "--replaces", OLD]
    shown = zoning(store_copy, *args, "--apercu")
    assert shown.returncode == 0, shown.stderr
    assert f"communes dont la classe change : {len(expected)}" in shown.stdout
    assert "erreurs : 0 ;" in shown.stdout  # 0 unresolved rows
    assert "magasin NON modifié" in shown.stdout
    adopted = zoning(store_copy, *args)
    assert adopted.returncode == 0, adopted.stderr
    store = open_store(store_copy)
    assert store.decree(NEW).classes_loaded
    changes = compare_decrees(store, OLD, NEW).changes
    assert set(changes["code_insee"]) == expected
    out = tmp_path / "changements.xlsx"
    assert zoning(store_copy, "compare", OLD, NEW, "-o", str(out)).returncode == 0
    sheet = pd.read_excel(out, sheet_name="changements", dtype=str, engine="openpyxl")
    assert set(sheet.iloc[:, 0]) == expected
    # each merged or renamed commune names the 2025 commune whose class it took
    cover, names = truth["cover"], truth["name25"]
    size = Counter(cover.values())
    named = {
        c: f"{names[cover[c]]} ({cover[c]})"
        if (cover[c], names[cover[c]]) != (c, old) or size[cover[c]] > 1
        else ""
        for c, old in truth["name22"].items()
    }
    said = dict(zip(sheet["code_insee"], sheet["commune_apres"].fillna(""), strict=True))
    assert said == {c: named[c] for c in expected}
    assert said["16226"] == "La Boixe (16393)" and said["33081"] == "Cadillac-sur-Garonne (33081)"

    class25, class22, names = truth["class25"], truth["class22"], truth["name25"]
    with open(SOURCES / "laposte_hexasmal_2022-02.csv", encoding="utf-8") as f:
        postcodes = {r[0]: r[2] for r in csv.reader(f, delimiter=";")}
    on = "2026-06-01"
    # (query, the 2025 commune that answers): new name with a postal code of its 2022
    # commune of the same code (La Poste), new code, old (2022) code, plain commune.
    cases = [(["--postcode", postcodes[c], "--name", names[c]], c) for c in CHANGED]
    cases += [(["--commune", c], c) for c in CHANGED]
    cases += [
        (["--commune", old], truth["cover"][old])
        for old in ("16226", "16355", "16238", "19223", "19230", "16140", "33409")
    ]
    for query, code in cases:
        answer = _check(store_copy, *query, "--date", on)
        assert answer["decree"]["id"] == NEW, query
        assert (answer["zone"] or "") == class25[code], (query, answer["zone"], answer["notes"])
        assert (answer["commune_code"], answer["commune_name"]) == (code, names[code]), query
    # under the 2022 decree, the 2022 classes of the 2022 communes
    for code in ("16226", "19230", "16015", "33081"):
        answer = _check(store_copy, "--commune", code, "--date", "2023-06-01")
        assert answer["decree"]["id"] == OLD
        assert (answer["zone"] or "") == class22[code], code
    # 16393 alone is read as today's COG writes it (La Boixe): under the 2022 decree its
    # two 2022 communes, of different classes, are named with theirs, « à vérifier ».
    assert class22["16393"] != class22["16226"]
    answer = _check(store_copy, "--commune", "16393", "--date", "2023-06-01")
    assert answer["decree"]["id"] == OLD and answer["to_verify"] and not answer["zone"]
    for code in ("16393", "16226"):
        assert any(f"({code}) : {class22[code] or 'sans classe'}" in n for n in answer["notes"])
    # given with its 2022 name, it is Vars
    answer = _check(store_copy, "--postcode", postcodes["16393"], "--name", "Vars",
                    "--date", "2023-06-01")  # fmt: skip
    assert (answer["commune_name"], answer["zone"]) == ("Vars", class22["16393"])


def test_2025_annex_under_a_new_id_read_in_the_cog_given(
    store_copy: Path, tmp_path: Path, truth: dict[str, dict[str, str]]
) -> None:
    """A decree without a record in data/decrees: ``--cog 2025`` says how to read it."""
    path = write_cartosante_csv(tmp_path / "SYNTHETIQUE-2025-bis.csv", annex_2025(truth), [])
    args = ["data", "import-decree", str(path), "--region", NA, "--id", "synthetic-2025-bis",
            "--in-force", "2041-01-01", "--replaces", OLD, "--cog", "2025", "--apercu"]  # fmt: skip
    shown = zoning(store_copy, *args)
    assert shown.returncode == 0, shown.stderr
    assert f"communes dont la classe change : {len(expected_changes(truth))}" in shown.stdout
    assert "erreurs : 0 ;" in shown.stdout
    # read in the store's COG, the communes merged since are absent, each with a hint
    shown = zoning(store_copy, *[a for a in args if a not in ("--cog", "2025")])
    assert "commune 19223 (Saint-Martin-Sepert) de la région absente de l'annexe" in shown.stdout
    assert "Les Trois-Saints (19248) depuis le 01/01/2025" in shown.stdout
    assert "relancez avec --cog 2025" in shown.stdout


def test_an_annex_in_the_2022_cog_under_the_2025_decree(
    store_copy: Path, tmp_path: Path, truth: dict[str, dict[str, str]]
) -> None:
    """Names of the store's vintage (« Vars », which La Boixe took the code of) are read
    as the 2022 communes; a 2022 code gone by 2025 says the codes are of an older COG."""
    rows = [
        Commune("16393", "Vars", "16", "Charente", "ZIP"),
        Commune("16226", "Montignac-Charente", "16", "Charente", "ZAC"),
        Commune("19248", "Les Trois-Saints", "19", "Corrèze", "HZ"),
    ]
    report = _preview(store_copy, write_lists_pdf(tmp_path / "SYNTHETIQUE-noms.pdf", rows))
    assert report.zones is not None
    zones = report.zones.set_index("code")["zone"]
    assert (zones["16393"], zones["16226"]) == ("ZIP", "ZAC")
    assert all(zones[c] == "HZ" for c, cover in truth["cover"].items() if cover == "19248")
    path = tmp_path / "SYNTHETIQUE-codes-2022.csv"
    write_cartosante_csv(path, rows[:2], [])
    report = _preview(store_copy, path)
    assert report.zones is not None
    zones = report.zones.set_index("code")["zone"]
    assert (zones["16393"], zones["16226"]) == ("ZIP", "ZAC")
    assert any("16226, dans La Boixe (16393)" in f["message"] for f in report.lines)
