"""``zoning geocode`` on CSV (cp1252, ``;``, BOM) and Excel files, ``zoning geocoder build``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from zoning.cli import cli
from zoning.errors import GeocoderUnavailableError, InvalidInputError
from zoning.io.cells import neutralise
from zoning.locate.geocode.server import LocalGeocoder
from zoning.report.geocode_table import detect_columns, read_input

ROWS = [
    # Adresse; Code postal; Commune; N° FINESS  (real places; the last two are bad input)
    ("39 avenue de la Sénatorerie", "23000", "Guéret", ""),
    ("", "", "", "870000064"),
    ("12 rue des Licornes Volantes", "23300", "La Souterraine", ""),
    ("50 rue Henri Dunant", "23000", "Aubusson", "12"),
    ('=HYPERLINK("http://x")', "", "", ""),
    ("", "", "", ""),
]


@pytest.fixture
def runner_env(addok_server: LocalGeocoder, geo_sources: Path, tmp_path: Path) -> dict[str, str]:
    return {
        "ZONING_ADDOK_URL": addok_server.url,
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_CACHE": str(tmp_path / "cache"),
    }


def write_excel_csv(path: Path) -> None:
    """What Excel writes for « CSV (séparateur : point-virgule) »: cp1252, ``;``, CRLF."""
    lines = ["Adresse;Code postal;Commune;N° FINESS"] + [";".join(r) for r in ROWS]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")


def test_cp1252_semicolon_csv_to_excel(runner_env: dict[str, str], tmp_path: Path) -> None:
    source, out = tmp_path / "structures.csv", tmp_path / "structures_geo.xlsx"
    write_excel_csv(source)
    result = CliRunner().invoke(cli, ["geocode", str(source), "-o", str(out)], env=runner_env)
    assert result.exit_code == 0, result.output
    assert "6 ligne(s) écrites" in result.output
    assert "adresse = « Adresse »" in result.output and "FINESS = « N° FINESS »" in result.output
    table = pd.read_excel(out, sheet_name="Géocodage", dtype=str, engine="openpyxl")
    assert len(table) == len(ROWS)  # every row, in order
    assert list(table["Commune"].fillna("")) == [r[2] for r in ROWS]
    assert list(table["precision"]) == [
        "address", "finess", "municipality", "address", "none", "none",
    ]  # fmt: skip
    assert table.loc[1, "citycode"] == "87085"
    assert "numéro FINESS invalide" in str(table.loc[3, "reason"])
    assert str(table.loc[4, "Adresse"]).startswith("'=")  # formula neutralised
    assert "Provenance" in pd.ExcelFile(out, engine="openpyxl").sheet_names


def test_excel_in_csv_out_with_options(runner_env: dict[str, str], tmp_path: Path) -> None:
    source, out = tmp_path / "liste.xlsx", tmp_path / "sortie.csv"
    pd.DataFrame(
        {"Lieu": ["4 rue Tanguy Prigent", "7 rue Claude Monet"], "Ville": ["Guéret", "-"],
         "Insee": ["23096", "23176"]}
    ).to_excel(source, index=False)  # fmt: skip
    args = ["geocode", str(source), "-o", str(out), "--address-col", "Lieu", "--city-col", "Ville"]
    result = CliRunner().invoke(cli, args, env=runner_env)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert list(table["Insee"]) == ["23096", "23176"]
    assert list(table["citycode"]) == ["23096", "23176"]
    assert list(table["precision"]) == ["address", "address"]
    assert table.loc[1, "Ville"] == "'-"
    meta = json.loads((tmp_path / "sortie.csv.provenance.json").read_text(encoding="utf-8"))
    assert meta["outil"].startswith("zoning") and "La Poste" in meta["sources"]["laposte"]


def test_geocoder_down_writes_everything_and_fails(geo_sources: Path, tmp_path: Path) -> None:
    source, out = tmp_path / "structures.csv", tmp_path / "out.csv"
    write_excel_csv(source)
    env = {
        "ZONING_ADDOK_URL": "http://127.0.0.1:9",  # nothing listens there
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_CACHE": str(tmp_path / "cache"),
    }
    args = ["geocode", str(source), "-o", str(out), "--retries", "1"]
    result = CliRunner().invoke(cli, args, env=env)
    assert isinstance(result.exception, GeocoderUnavailableError)
    assert "le fichier est écrit quand même" in str(result.exception)
    assert "relancez" in str(result.exception)
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert len(table) == len(ROWS)
    assert table.loc[1, "precision"] == "finess"  # no geocoder needed
    assert "géocodeur indisponible" in str(table.loc[0, "reason"])


def test_malformed_csv_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('Adresse;CP\n"1 rue A";23000\n"2 rue B;23000\n3 rue C;23000;x\n', "utf-8")
    with pytest.raises(InvalidInputError, match="ligne"):
        read_input(bad)
    short = tmp_path / "short.csv"
    short.write_text("Adresse;CP\n1 rue A;23000\n2 rue B;23000;trop\n", "utf-8")
    with pytest.raises(InvalidInputError, match="ligne 3 : 3 champ"):
        read_input(short)


def test_detect_french_headers() -> None:
    cols = detect_columns(["N° FINESS ET", "Adresse postale", "CP", "Ville", "Code INSEE"])
    assert cols.address == "Adresse postale" and cols.postcode == "CP"
    assert cols.city == "Ville" and cols.citycode == "Code INSEE"
    assert cols.finess == "N° FINESS ET"
    with pytest.raises(InvalidInputError, match="absente"):
        detect_columns(["Adresse"], address="Rue")
    with pytest.raises(InvalidInputError, match="aucune colonne"):
        detect_columns(["nom", "prénom"])


def test_neutralise() -> None:
    assert [neutralise(v) for v in ["=1+1", "+33", "-x", "@SUM", "ok", 3.5, -0.5]] == [
        "'=1+1", "'+33", "'-x", "'@SUM", "ok", 3.5, -0.5,
    ]  # fmt: skip


def test_geocoder_build_cli(geo_sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs.ndjson"
    result = CliRunner().invoke(
        cli, ["geocoder", "build", "--sources", str(geo_sources), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    municipalities = [d for d in docs if d["type"] == "municipality"]
    assert len(municipalities) == 35091  # every INSEE code of La Poste's base
    gueret = next(d for d in municipalities if d["citycode"] == "23096")
    assert gueret["name"][0] == "Guéret" and gueret["postcode"] == ["23000"]
    street = next(d for d in docs if d["id"] == "23096_avenue_de_la_senatorerie")
    assert street["housenumbers"]["39"] == {"lat": 46.16497, "lon": 1.87113}
    assert street["postcode"] == "23000"  # the CEDEX 23011 is not a street postcode


def test_result_columns_never_overwrite_input(tmp_path: Path) -> None:
    from zoning.locate.geocode import BatchOutcome, GeocodeResult
    from zoning.report.geocode_table import with_results

    frame = pd.DataFrame({"reason": ["mine"], "Adresse": ["x"]})
    out = with_results(frame, BatchOutcome([GeocodeResult.failed("pourquoi")]))
    assert out.loc[0, "reason"] == "mine" and out.loc[0, "geo_reason"] == "pourquoi"


def test_detect_columns_of_the_projects_example_list() -> None:
    """Issue 24: ``zoning geocode`` did not recognise the example list's columns; the
    batch's matcher reads them, one place only (the ambulatory site)."""
    example = Path(__file__).resolve().parents[3] / "data" / "examples" / "candidats_exemple.csv"
    frame = read_input(example)
    cols = detect_columns([str(c) for c in frame.columns])
    assert cols.citycode == "Site code INSEE" and cols.postcode == "Site code postal"
    assert cols.city == "Site commune" and cols.finess is None  # the hospital's: not mixed in
    assert detect_columns(["Nom", "FINESS établissement"]).finess == "FINESS établissement"
