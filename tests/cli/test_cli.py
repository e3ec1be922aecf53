"""The command line as a user runs it: real process, real store, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from zoning_cli import run_zoning

run = run_zoning


def test_check_commune_sentence(fixture_store_path: Path) -> None:
    # Without --date, check follows today's decree (tests/store/decrees covers that case).
    out = run(fixture_store_path, "check", "--commune", "23096", "--date", "2023-11-01")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Guéret (23096) : ZIP, zone sous-dense")


def test_check_json(store_path: Path) -> None:
    out = run(
        store_path,
        "check",
        "--postcode",
        "33000",
        "--name",
        "Bordeaux",
        "--json",
        "--date",
        "2023-11-01",
    )
    data = json.loads(out.stdout)
    assert data["commune_code"] == "33063"
    assert data["zone"] == "HZ"
    assert data["decree"]["id"] == "ars-na-2022-04-25"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["check", "--commune", "99999"], 3, "code commune inconnu"),
        (["check", "--lon", "200", "--lat", "3"], 2, "hors bornes"),
        (["check", "--lon", "-5", "--lat", "46"], 5, "aucune commune"),
        (["check", "--lon", "abc", "--lat", "3"], 2, "abc"),
        (["check"], 2, "indiquez un seul lieu"),
        # Before the first decree; a date after its end is tests/store/decrees' business.
        (["check", "--commune", "23096", "--date", "2022-01-01"], 5, "aucun arrêté"),
    ],
)
def test_check_errors_are_messages_not_tracebacks(
    fixture_store_path: Path, args: list[str], code: int, message: str
) -> None:
    out = run(fixture_store_path, *args)
    assert out.returncode == code
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_store_says_how_to_build_it(tmp_path: Path) -> None:
    out = run(tmp_path / "nowhere", "check", "--commune", "23096")
    assert out.returncode == 2
    assert "zoning data build" in out.stderr


def test_help_teaches() -> None:
    out = subprocess.run([sys.executable, "-m", "zoning", "--help"], capture_output=True, text=True)
    assert "zoning check --commune 23096" in out.stdout
    for command in ("check", "data", "batch", "map", "geocode"):
        assert command in out.stdout


def test_build_from_a_folder_missing_a_file_names_it(tmp_path: Path, fixture_sources: Path) -> None:
    partial = tmp_path / "sources"
    (partial / "cog_communes").mkdir(parents=True)
    out = run(tmp_path / "store", "data", "build", "--sources", str(partial))
    assert out.returncode == 2
    assert "cog2022_communes.csv" in out.stderr
    assert "Traceback" not in out.stderr


def test_check_finess_finds_the_hospital_in_the_store_sources(fixture_store_path: Path) -> None:
    env_without_sources = {k: v for k, v in os.environ.items() if k != "ZONING_SOURCES"}
    out = subprocess.run(
        [sys.executable, "-m", "zoning", "check", "--finess", "230000820", "--date", "2023-11-01"],
        capture_output=True,
        text=True,
        env={**env_without_sources, "ZONING_STORE": str(fixture_store_path)},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Guéret (23096) : ZIP")
    assert "précision finess" in out.stdout
