"""Export a loaded decree as an annex, import it back, and import a synthetic successor.

The synthetic « next decree » is the 2022 table with a known set of communes moved
(labelled SYNTHETIC: it is not the real decree of 30 December 2025, whose annex is not
in the sources). ``compare`` must find exactly that set, with the populations of the
INSEE file (independent of the code under test: the figures of SOURCES.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from decree_helpers import NA, NEW, OLD, open_store, zoning
from openpyxl import load_workbook

from zoning.locate import lookup
from zoning.report.decree_tables import write_table
from zoning.store.decree_compare import compare_decrees
from zoning.store.decree_import import import_decree
from zoning.store.decree_store import export_table
from zoning.store.decrees import IN_FORCE

BIS = "test-na-2022-bis"

# SYNTHETIC changes: commune -> (class in 2022, class in the synthetic next decree).
# Populations (PMUN 2019) as listed in SOURCES.md for the INSEE file.
SYNTHETIC_MOVES = {
    "23096": ("ZIP", "HZ"),  # Guéret
    "33063": ("HZ", "ZAC"),  # Bordeaux
    "64102": ("HZ", "ZIP"),  # Bayonne
    "87085": ("HZ", "ZAC"),  # Limoges
}
INSEE_POPULATION = {"23096": 12734, "33063": 260958, "64102": 51894, "87085": 130876}


@pytest.fixture(scope="module")
def annex_2022(store_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annex") / "annexe-2022.xlsx"
    result = zoning(store_copy, "data", "export-decree", OLD, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_export_is_an_annex_with_provenance(annex_2022: Path) -> None:
    book = load_workbook(annex_2022, read_only=True)
    rows = list(book["annexe"].iter_rows(values_only=True))
    assert rows[0] == ("code_insee", "commune", "departement", "classe", "population")
    assert len(rows) == 1 + 4309
    gueret = next(r for r in rows if r[0] == "23096")
    assert gueret[1:4] == ("Guéret", "23", "ZIP") and gueret[4] == 12734
    prov = dict(book["provenance"].iter_rows(values_only=True))
    assert "25 avril 2022" in prov["arrêté"]


def test_round_trip_gives_the_same_answers_for_every_na_commune(
    store_copy: Path, annex_2022: Path
) -> None:
    report = import_decree(
        open_store(store_copy),
        annex_2022,
        decree_id=BIS,
        region=NA,
        communes=lookup,
        adopted=date(2022, 4, 25),
        in_force=date(2030, 1, 1),
    )
    assert report.written and report.rows_read == 4309
    assert report.count("erreur") == 0
    store = open_store(store_copy)
    assert store.decree_on(NA, date(2030, 6, 1)).decree.id == BIS
    codes = store.communes(["code", "region"]).query("region == @NA")["code"].tolist()
    assert len(codes) == 4309
    differ = []
    for code in codes:
        before = lookup.by_commune(store, code, date(2023, 11, 1))
        after = lookup.by_commune(store, code, date(2030, 6, 1))
        assert after.decree is not None and after.decree.id == BIS
        assert after.decree_status == IN_FORCE
        if (before.zone, before.under_served) != (after.zone, after.under_served):
            differ.append((code, before.zone, after.zone))
    assert differ == []
    assert compare_decrees(store, OLD, BIS).changes.empty


def test_round_trip_through_csv_and_ods(store_copy: Path, tmp_path: Path) -> None:
    headers, rows = export_table(open_store(store_copy), OLD)
    for suffix in (".csv", ".ods"):
        path = tmp_path / f"annexe{suffix}"
        write_table(path, {"annexe": (headers, rows)})
        report = import_decree(
            open_store(store_copy),
            path,
            decree_id=f"rt{suffix[1:]}",
            region=NA,
            communes=lookup,
            in_force=date(2031, 1, 1),
            dry_run=True,
        )
        assert report.count("erreur") == 0 and report.rows_read == 4309, suffix
        assert report.summary["classes"]["ZIP"]["communes"] == 1407


@pytest.fixture(scope="module")
def synthetic_next(
    store_copy: Path, annex_2022: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """SYNTHETIC annex: the 2022 classes with SYNTHETIC_MOVES applied, imported as NEW."""
    table = pd.read_excel(annex_2022, sheet_name="annexe", dtype=str, engine="openpyxl")
    for code, (was, now) in SYNTHETIC_MOVES.items():
        assert table.loc[table["code_insee"] == code, "classe"].item() == was
        table.loc[table["code_insee"] == code, "classe"] = now
    path = tmp_path_factory.mktemp("synthetic") / "SYNTHETIQUE-annexe-suivante.csv"
    table.to_csv(path, sep=";", index=False)
    result = zoning(
        store_copy,
        "data",
        "import-decree",
        str(path),
        "--region",
        NA,
        "--id",
        NEW,
        "--adopted",
        "2025-12-30",
        "--in-force",
        "2026-02-03",
        "--replaces",
        OLD,
    )
    assert result.returncode == 0, result.stderr
    assert "magasin mis à jour" in result.stdout
    return path


def test_compare_finds_exactly_the_synthetic_changes(
    store_copy: Path, synthetic_next: Path
) -> None:
    comparison = compare_decrees(open_store(store_copy), OLD, NEW)
    found = {
        row.code_insee: (row.classe_avant, row.classe_apres, row.population)
        for row in comparison.changes.itertuples()
    }
    assert found == {
        code: (*moves, INSEE_POPULATION[code]) for code, moves in SYNTHETIC_MOVES.items()
    }
    kinds = dict(
        zip(comparison.changes["code_insee"], comparison.changes["changement"], strict=True)
    )
    assert kinds == {
        "23096": "sortie de zonage",
        "33063": "entrée en ZAC",
        "64102": "entrée en ZIP",
        "87085": "entrée en ZAC",
    }
    region = comparison.region.set_index("classe")
    assert region.loc["ZAC", "population_entree"] == 260958 + 130876
    assert region.loc["ZIP", "population_entree"] == 51894
    assert region.loc["ZIP", "population_sortie"] == 12734
    assert region.loc["HZ", "population_sortie"] == 260958 + 130876 + 51894
    assert region.loc["ZIP", "plafond_avant"] == 16.8
    # The caps of the order of 9 May 2025 are not in the sources: unknown, not invented.
    assert pd.isna(region.loc["ZIP", "plafond_apres"])
    deps = comparison.departements.set_index(["departement", "classe"])
    assert deps.loc[("33", "ZAC"), "population_entree"] == 260958
    assert deps.loc[("23", "ZIP"), "population_sortie"] == 12734


def test_new_decree_answers_after_its_entry_into_force(
    store_copy: Path, synthetic_next: Path
) -> None:
    store = open_store(store_copy)
    day_before = lookup.by_commune(store, "33063", date(2026, 2, 2))
    assert (day_before.zone, day_before.decree_status) == ("HZ", "échu")
    first_day = lookup.by_commune(store, "33063", date(2026, 2, 3))
    assert (first_day.zone, first_day.decree_status) == ("ZAC", IN_FORCE)
    assert first_day.decree is not None and first_day.decree.id == NEW
    # The record described in data/decrees was completed, not replaced.
    assert first_day.decree.published == date(2026, 2, 3)
    assert "9 mai 2025" in first_day.decree.method_order
    # And the 2022 record now names its successor.
    assert store.decree(OLD).replaced_by == NEW


def test_compare_outputs(store_copy: Path, synthetic_next: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "changements.xlsx"
    assert zoning(store_copy, "compare", OLD, NEW, "-o", str(xlsx)).returncode == 0
    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["changements", "departements", "region", "provenance"]
    rows = list(book["changements"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(SYNTHETIC_MOVES)
    csv = tmp_path / "changements.csv"
    assert zoning(store_copy, "compare", OLD, NEW, "-o", str(csv)).returncode == 0
    assert csv.read_text(encoding="utf-8-sig").count("\n") == 1 + len(SYNTHETIC_MOVES)
    html = tmp_path / "changements.html"
    out = zoning(store_copy, "compare", OLD, NEW, "-o", str(html))
    assert out.returncode == 0, out.stderr
    page = html.read_text(encoding="utf-8")
    assert "Changements de classe" in page
    # Feature properties are JSON (non-ASCII escaped) inside the page.
    assert "entrée en ZIP" in page or "entr\\u00e9e en ZIP" in page
    assert '"changes": 4' in page or '"changes":4' in page
    assert "cdn.jsdelivr" not in page  # offline: assets inlined


def test_compare_with_a_decree_without_classes_says_so(store_copy: Path) -> None:
    out = zoning(store_copy, "compare", OLD, "nope")
    assert out.returncode == 5 and "arrêté inconnu" in out.stderr
