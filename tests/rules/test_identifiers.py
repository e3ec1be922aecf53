"""Identifier formats (RULES.md, « Identifiers worth validating »)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from zoning.errors import InvalidInputError
from zoning.identifiers import (
    is_finess,
    is_insee,
    is_rpps,
    is_siret,
    luhn_ok,
    normalise_finess,
    normalise_insee,
    normalise_rpps,
)


def test_rpps_is_eleven_digits() -> None:
    assert normalise_rpps(" 100 000 000 01 ") == "10000000001"
    assert normalise_rpps(10000000001.0) == "10000000001"  # Excel float
    for bad in ("1234", "123456789012", "1000000000A", ""):
        assert not is_rpps(bad)


def test_finess_leading_zero_restored_on_real_numbers(sources_dir: Path) -> None:
    # The Eurostat extract lost the leading zero of départements 01-09.
    path = sources_dir / "finess" / "eurostat_healthcare_FR_hospitals_2020.csv"
    with path.open(encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    short = [i for i in ids if len(i) == 8]
    assert short, "expected 8-digit ids in the Eurostat extract"
    assert all(normalise_finess(i) == "0" + i for i in short)
    assert all(is_finess(i) for i in ids if not i.startswith("2A") and not i.startswith("2B"))
    assert normalise_finess("230000820") == "230000820"
    assert normalise_finess("2A0000014") == "2A0000014"
    with pytest.raises(InvalidInputError, match="FINESS"):
        normalise_finess("12")


def test_siret_luhn() -> None:
    assert luhn_ok("79927398713")  # the textbook Luhn example
    assert not luhn_ok("79927398710")
    # build a valid SIRET from 13 digits by choosing the key
    body = "1234567890123"
    key = next(d for d in "0123456789" if luhn_ok(body + d))
    assert is_siret(body + key)
    wrong = str((int(key) + 1) % 10)
    assert not is_siret(body + wrong)
    assert not is_siret("1234")
    # La Poste's SIREN 356000000 uses a digit-sum rule instead of Luhn.
    poste = next(
        f"356000000{n:05d}"
        for n in range(100000)
        if sum(map(int, f"356000000{n:05d}")) % 5 == 0 and not luhn_ok(f"356000000{n:05d}")
    )
    assert is_siret(poste)


def test_insee_code_format() -> None:
    assert normalise_insee("23096") == "23096"
    assert normalise_insee("2A004") == "2A004"
    assert normalise_insee("1053") == "01053"
    assert normalise_insee("97411") == "97411"
    assert normalise_insee("20004") == "20004"  # Ajaccio before 1976, carried by the COG
    for bad in ("ABCDE", "230960", "2C004", "00123", ""):
        assert not is_insee(bad)
