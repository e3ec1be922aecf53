"""A hand-made workbook's totals and notes rows: never a dossier, never counted, listed.

The shipped example's 22 rows (fictitious) are put in an xlsx as an instructor would:
a title above the header, a TOTAL row with the sum of the half-days, a « Source : »
note under the table, a hidden column and a second sheet.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from zoning.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"


def _workbook(path: Path) -> tuple[int, int]:
    """Write the workbook; returns the sheet lines of the TOTAL row and of the note."""
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, body = rows[0], rows[1:]
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Postes"
    ws.append(["Postes partagés — campagne 2025 (données fictives)"])
    ws.append(header)
    for row in body:
        ws.append(row)
    half_days = header.index("Demi-journées hôpital")
    total = [""] * len(header)
    total[0], total[half_days] = "TOTAL", str(sum(int(r[half_days] or 0) for r in body))
    ws.append(total)
    ws.append([])
    ws.append(["Source : tableau de suivi de l'ARS (fictif)"])
    ws.column_dimensions["R"].hidden = True
    book.create_sheet("Notice").append(["Mode d'emploi"])
    book.save(path)
    return len(body) + 3, len(body) + 5


def test_total_and_note_rows_are_listed_not_counted(
    fixture_store_path: Path, fixture_sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONING_STORE", str(fixture_store_path))
    monkeypatch.setenv("ZONING_SOURCES", str(fixture_sources))
    src = tmp_path / "suivi.xlsx"
    total_line, note_line = _workbook(src)
    out = tmp_path / "resultats.xlsx"
    args = ["batch", str(src), "-p", "na-mg-2023", "-o", str(out), "--no-progress"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "22 lignes" in result.output
    assert f"ligne {total_line} : ligne de total, ignorée" in result.output
    assert f"ligne {note_line} : note, ignorée" in result.output
    assert "autres feuilles du classeur : Notice" in result.output
    assert "colonne masquée : R" in result.output
    book = load_workbook(out)
    results = book["Résultats"]
    assert results.max_row == 23  # the header and the 22 dossiers, no TOTAL
    assert "TOTAL" not in [c.value for c in results["A"]]
    provenance = [(r[0].value, r[1].value) for r in book["Provenance"].iter_rows()]
    assert ("lecture du fichier", f"ligne {total_line} : ligne de total, ignorée (« TOTAL "
            f"{_half_days_sum()} »)") in provenance  # fmt: skip


def _half_days_sum() -> int:
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return sum(
            int(r["Demi-journées hôpital"] or 0) for r in csv.DictReader(handle, delimiter=";")
        )
