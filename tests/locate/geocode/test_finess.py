"""FINESS readers and lookup: etalab format on a hand-made fixture, Eurostat on the real file."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from zoning.errors import InvalidInputError, NotFoundError, SourceFormatError
from zoning.identifiers import normalise_finess as normalize_finess
from zoning.locate.geocode import Geocoder
from zoning.sources.finess import FinessDirectory
from zoning.sources.finess_files import read_etalab, read_eurostat_hospitals
from zoning.sources.manifest import load_manifest

from .helpers import NA_DEPARTEMENTS, metres

HANDMADE = Path(__file__).parent / "fixtures" / "HANDMADE_etalab_cs1100507_stock_sample.csv"


@pytest.fixture(scope="module")
def eurostat(geo_sources: Path) -> pd.DataFrame:
    source = load_manifest()["finess_hospitals"]
    return read_eurostat_hospitals(source.path(geo_sources), source)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("330781360", "330781360"),
        ("10000024", "010000024"),  # leading zero lost by a spreadsheet
        (10000024, "010000024"),
        (10000024.0, "010000024"),
        ("10000024.0", "010000024"),
        (" 2A0000154 ", "2A0000154"),
        ("2a0000154", "2A0000154"),
    ],
)
def test_normalize_finess_restores_and_accepts(raw: object, expected: str) -> None:
    assert normalize_finess(raw) == expected


@pytest.mark.parametrize("raw", ["", "123", "3307813601", "33078136X", "AB0781360", None])
def test_normalize_finess_rejects_with_french_message(raw: object) -> None:
    with pytest.raises(InvalidInputError, match="numéro FINESS invalide"):
        normalize_finess(raw)


def test_etalab_handmade_fixture_parses_every_section() -> None:
    frame = read_etalab(HANDMADE)
    assert list(frame["finess"]) == [
        "230000820", "239999991", "239999975", "2A9999990", "9D9999996",
    ]  # fmt: skip
    gueret = frame.iloc[0]
    assert gueret["citycode"] == "23096"
    assert gueret["category_code"] == "355"
    assert gueret["street"] == "Avenue DE LA SENATORERIE"
    assert gueret["postcode"] == "23011"
    # Lambert-93 back to WGS84: the Eurostat point the fixture was written from.
    assert metres(gueret["lon"], gueret["lat"], 1.87113, 46.16497) < 1.0
    cds = frame.iloc[1]
    assert (cds["category_code"], cds["housenumber"]) == ("124", "7 bis")
    msp = frame.iloc[2]
    assert msp["category_code"] == "603"
    assert math.isnan(msp["lon"])  # no geolocalisation row: no point, not a wrong one
    assert frame.iloc[3]["citycode"] == "2A004"
    reunion = frame.iloc[4]
    assert pd.isna(reunion["citycode"])  # overseas code mapping not in the spec: not guessed
    assert metres(reunion["lon"], reunion["lat"], 55.4481, -20.8789) < 1.0


def test_etalab_latin1_reads_like_utf8(tmp_path: Path) -> None:
    latin1 = tmp_path / "etalab-latin1.csv"
    latin1.write_bytes(HANDMADE.read_text(encoding="utf-8").encode("cp1252"))
    same = read_etalab(latin1)
    pd.testing.assert_frame_equal(same, read_etalab(HANDMADE))
    assert "Santé" in same.iloc[1]["category"]


def test_etalab_malformed_line_is_named(tmp_path: Path) -> None:
    lines = HANDMADE.read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6].rsplit(";", 3)[0]  # a structureet row cut short
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"ligne 7 .*structureet"):
        read_etalab(bad)
    bad.write_text("nofinesset;rs\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="ligne 1"):
        read_etalab(bad)


def test_eurostat_real_file(eurostat: pd.DataFrame) -> None:
    assert len(eurostat) == 5368
    assert eurostat["finess"].str.len().eq(9).all()
    na = eurostat[eurostat["finess"].str[:2].isin(NA_DEPARTEMENTS)]
    assert len(na) == 504  # SOURCES.md: 504 NA rows
    directory = FinessDirectory([eurostat])
    gueret = directory.get("230000820")
    assert (gueret.lat, gueret.lon) == (46.16497, 1.87113)
    assert gueret.address == "39 AVENUE DE LA SENATORERIE 23011 GUERET"
    bourg = directory.get(10000024)  # as read back from Excel
    assert bourg.finess == "010000024" and bourg.street == "ROUTE DE PARIS"
    assert "DUPUYTREN" in directory.get("870000064").name
    with pytest.raises(NotFoundError, match="absent"):
        directory.get("230999999")


def test_directory_prefers_etalab_then_fills_citycodes(
    eurostat: pd.DataFrame, _tables: Geocoder
) -> None:
    directory = FinessDirectory([read_etalab(HANDMADE), eurostat])
    assert directory.get("230000820").origin == "etalab"
    assert directory.get("239999975").category_code == "603"
    # Eurostat has no INSEE code: the shared geocoder fills it from La Poste.
    filled = _tables.finess
    assert filled.get("230000820").citycode == "23096"
    assert filled.get("870000064").citycode == "87085"
    assert filled.table["citycode"].notna().mean() > 0.97
