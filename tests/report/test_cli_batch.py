"""``zoning batch`` from the command line, on the shipped example file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from zoning.cli import cli

REPO = Path(__file__).resolve().parents[2]


def test_cli_batch_example_to_excel(
    fixture_store_path: Path, fixture_sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONING_STORE", str(fixture_store_path))
    monkeypatch.setenv("ZONING_SOURCES", str(fixture_sources))
    out = tmp_path / "resultats.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(REPO / "data" / "examples" / "candidats_exemple.csv"),
            "--programme",
            "na-mg-2023",
            "-o",
            str(out),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "« FINESS établissement » -> hop_finess" in result.output
    assert "22 lignes" in result.output
    sheet = load_workbook(out)["Résultats"]
    assert sheet.max_row == 23


def test_cli_batch_help_is_french_and_teaches() -> None:
    result = CliRunner().invoke(cli, ["batch", "--help"])
    assert result.exit_code == 0
    assert "données invalides" in result.output and "na-mg-2023" in result.output


def test_cli_batch_unknown_programme(
    fixture_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoning.cli import main

    monkeypatch.setenv("ZONING_STORE", str(fixture_store_path))
    with pytest.raises(SystemExit) as info:
        main(
            [
                "batch",
                str(REPO / "data" / "examples" / "candidats_exemple.csv"),
                "-p",
                "inconnu",
                "-o",
                str(tmp_path / "x.csv"),
                "--no-progress",
            ]
        )
    assert info.value.code != 0
