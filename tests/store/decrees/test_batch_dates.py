"""A batch judges each post on the decree in force on its start date, and says which."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from zoning.cli import cli

HEADER = "Identifiant;FINESS établissement;Demi-journées hôpital;Site code INSEE;Date de début"
# Guéret (ZIP under the 2022 decree) on each side of the boundaries.
ROWS = {
    "A": "01/11/2023",  # 2022 decree in force
    "B": "01/06/2025",  # after its stated end, successor not yet in force
    "C": "03/02/2026",  # first day of the 30/12/2025 decree, annex not loaded
    "D": "",  # no start date
}


@pytest.fixture(scope="module")
def results(store_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("batch")
    src = folder / "candidats.csv"
    src.write_text(
        "\n".join([HEADER, *(f"{k};230000820;5;23096;{d}" for k, d in ROWS.items())]) + "\n",
        encoding="utf-8",
    )
    out = folder / "resultats.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(src),
            "--programme",
            "na-mg-2023",
            "-o",
            str(out),
            "--no-progress",
            "--store",
            str(store_copy),
        ],
        env={"ZONING_STORE": str(store_copy)},
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Résultats"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    return {r[0]: dict(zip(headers, r, strict=False)) for r in rows[1:]}


def test_each_row_names_its_decree(results: dict[str, dict]) -> None:
    assert "25 avril 2022" in results["A"]["arrete"]
    assert "25 avril 2022" in results["B"]["arrete"]
    assert "30 décembre 2025" in results["C"]["arrete"]


def test_zone_reason_follows_the_start_date(results: dict[str, dict]) -> None:
    assert "zone sous-dense (site 1)" not in (results["A"]["motifs"] or "")
    assert results["A"]["zone_site1"] == "ZIP"
    assert "échu le 25/04/2025" in results["B"]["motifs"]
    # (B and C start outside the programme's start months: their status is « non
    # éligible » for that reason; the zone criterion is what is checked here.)
    motifs_c = results["C"]["motifs"]
    assert "classement inconnu" in motifs_c and "import-decree" in motifs_c
    assert results["C"]["zone_site1"] is None  # never the 2022 class in silence
