"""One rule for what a FINESS number is, the same through ``check`` and the batch.

An overseas number (« 9A0000015 ») is a FINESS number everywhere (looked up, never sent
to the geocoder as an address); a short number (« 00123 ») is none, and no commune code
either: refused everywhere as bad input.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zoning.errors import InvalidInputError, NotFoundError
from zoning.identifiers import is_finess, normalise_finess
from zoning.locate.finess import default_finess_locator
from zoning.locate.search import parse_query, search_place
from zoning.report.service import run_batch

ZONING = Path(sys.executable).parent / "zoning"


def test_the_rule() -> None:
    assert normalise_finess("9a0000015") == "9A0000015"
    assert normalise_finess("970100000") == "970100000"  # Guadeloupe, as the real file writes it
    assert normalise_finess(10000024) == "010000024"  # a spreadsheet ate the zero
    for bad in ("00123", "000000024", "990000015", "9Z0000015", "2C0000015", "1234567"):
        assert not is_finess(bad), bad


def test_search_reads_them_as_the_batch_does(store: Any) -> None:
    assert parse_query("9A0000015").kind == "finess"
    assert parse_query("10000024").code == "010000024"
    with pytest.raises(InvalidInputError, match="00123"):
        parse_query("00123")
    with pytest.raises(NotFoundError, match="FINESS 9A0000015 absent"):
        search_place(store, "9A0000015")


def _check(store_path: Path, sources_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_ADDOK_URL": "off",
    }
    return subprocess.run(
        [str(ZONING), "-q", "check", *args], capture_output=True, text=True, env=env
    )


def test_check_command(store_path: Path, sources_dir: Path) -> None:
    overseas = _check(store_path, sources_dir, "--finess", "9A0000015")
    assert overseas.returncode == 3 and "FINESS 9A0000015 absent" in overseas.stderr
    short = _check(store_path, sources_dir, "--finess", "00123")
    assert short.returncode == 2 and "numéro FINESS invalide « 00123 »" in short.stderr
    # As a commune code, « 00123 » is malformed too (the batch's rule), not « inconnu »;
    # a Corsican code of before 1976 is well formed and carried to 2A/2B.
    commune = _check(store_path, sources_dir, "--commune", "00123")
    assert commune.returncode == 2 and "code commune INSEE invalide « 00123 »" in commune.stderr
    ajaccio = _check(store_path, sources_dir, "--commune", "20004")
    assert ajaccio.returncode == 0 and "Ajaccio (2A004)" in ajaccio.stdout


def test_batch(store: Any, sources_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "liste.csv"
    src.write_text(
        "Identifiant;FINESS établissement;Demi-journées hôpital;Site code INSEE;Date de début\n"
        "A;9A0000015;4;23008;01/11/2025\n"
        "B;00123;4;23008;01/11/2025\n"
        "C;230000820;4;00123;01/11/2025\n",
        encoding="utf-8",
    )
    out = tmp_path / "resultats.csv"
    run_batch(
        src,
        "ars-specialistes-60pc-2025",
        out,
        store,
        finess=default_finess_locator(sources_dir),
        progress=False,
        overrides={"FINESS établissement": "hop_finess"},
    )
    with out.open(encoding="utf-8-sig") as handle:
        rows = {r["Identifiant"]: r for r in csv.DictReader(handle, delimiter=";")}
    assert rows["A"]["statut"] != "données invalides"
    assert "site principal : FINESS 9A0000015 introuvable" in rows["A"]["remarques"]
    assert rows["B"]["statut"] == "données invalides"
    assert "numéro FINESS invalide « 00123 »" in rows["B"]["motifs"]
    assert rows["C"]["statut"] == "données invalides"
    assert "code commune INSEE mal formé : '00123'" in rows["C"]["motifs"]
