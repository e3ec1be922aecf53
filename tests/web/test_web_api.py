"""The JSON API against the live server over HTTP (real store, real addok)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook
from web.conftest import ZONING, WebServer, running_server

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get(server: WebServer, path: str, **params: str) -> requests.Response:
    return requests.get(server.url + path, params=params, timeout=60)


#: (search typed on the page or in `q`, the same place as `zoning check` options, date)
SAME_PLACES = [
    ("23096", ["--commune", "23096"], "2023-11-01"),
    ("23121", ["--commune", "23121"], "2023-11-01"),
    ("16355", ["--commune", "16355"], "2023-11-01"),  # an old code, converted and said
    ("33000 Bordeaux", ["--postcode", "33000", "--name", "Bordeaux"], "2023-11-01"),
    ("87000 Limoges", ["--postcode", "87000", "--name", "Limoges"], "2026-02-01"),  # expired
    ("1.87113, 46.16497", ["--lon", "1.87113", "--lat", "46.16497"], "2023-11-01"),
    ("23096", ["--commune", "23096"], None),  # today: the 2025 decree, annex not loaded
    ("230000820", ["--finess", "230000820"], "2023-11-01"),
    (
        "39 avenue de la Sénatorerie 23000 Guéret",
        ["--address", "39 avenue de la Sénatorerie 23000 Guéret"],
        "2023-11-01",
    ),
]


@pytest.mark.parametrize(("query", "options", "date"), SAME_PLACES)
def test_check_is_the_model_of_zoning_check(
    web_server: WebServer,
    store_path: Path,
    geo_sources: Path,
    addok_server: object,
    tmp_path: Path,
    query: str,
    options: list[str],
    date: str | None,
) -> None:
    """`zoning check --json` and /api/check give the same answer, field for field, for the
    same place; no date is today's decree on both (the CLI is the reference)."""
    from zoning.locate.answer import PlaceAnswer

    env = {
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_ADDOK_URL": str(addok_server.url),  # type: ignore[attr-defined]
        "ZONING_CACHE": str(tmp_path / "cache"),
    }
    on = ["--date", date] if date else []
    cli = subprocess.run(
        [str(ZONING), "check", *options, *on, "--json", "--store", str(store_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert cli.returncode in (0, 5, 7), cli.stderr  # 5, 7: an answer to check
    answer = get(web_server, "/api/check", q=query, **({"date": date} if date else {}))
    assert answer.status_code == 200, answer.text
    expected = PlaceAnswer.model_validate_json(cli.stdout)
    got = PlaceAnswer.model_validate_json(answer.content)
    # The text typed differs by construction (options on the command line, one string here).
    assert got.model_copy(update={"query": expected.query}) == expected


def test_check_without_a_date_is_today_as_on_the_command_line(web_server: WebServer) -> None:
    """No date: today's decree (30/12/2025, annex not loaded) → « à vérifier », as the CLI
    (exit 5 there; see the cases above)."""
    got = get(web_server, "/api/check", q="23096").json()
    assert got["to_verify"] and got["decree"]["id"] == "ars-na-2025-12-30" and not got["zone"]


def test_check_with_a_date(web_server: WebServer) -> None:
    answer = get(web_server, "/api/check", q="23096", date="2023-11-01").json()
    assert answer["zone"] == "ZIP" and answer["under_served"] is True
    assert "25/04/2022" in answer["decree"]["title"]


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"q": "12"}, 400, "illisible"),
        ({"q": "23096", "date": "31/02/2023"}, 400, "date illisible"),
        ({"q": "Zzyzxville"}, 404, "aucune commune"),
        ({"q": "99999"}, 404, "inconnu"),
        ({"q": "Saint-Martin"}, 409, "plusieurs communes"),
        ({"q": "23096", "date": "2019-01-01"}, 422, "aucun arrêté"),
        ({"q": "-30.0, 40.0"}, 422, "aucune commune"),
    ],
)
def test_check_errors_in_french(
    web_server: WebServer, params: dict[str, str], status: int, words: str
) -> None:
    answer = get(web_server, "/api/check", **params)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["erreur"]


def test_communes_for_autocomplete(web_server: WebServer) -> None:
    names = get(web_server, "/api/communes", prefix="guére").json()
    assert {
        "code": "23096",
        "name": "Guéret",
        "departement": "23",
        "label": "Guéret (23096)",
    } in names
    homonyms = get(web_server, "/api/communes", prefix="Saint-Martin", limit="50").json()
    assert len({c["departement"] for c in homonyms if c["name"] == "Saint-Martin"}) >= 2


def test_health_docs_and_headers(web_server: WebServer) -> None:
    health = get(web_server, "/health")
    assert health.json()["status"] == "ok"
    csp = health.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    docs = get(web_server, "/api/docs")
    assert docs.status_code == 200 and "/npm/swagger/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    schema = get(web_server, "/api/openapi.json").json()
    assert {"/api/check", "/api/batch", "/api/communes", "/health"} <= set(schema["paths"])


def _batch(
    server: WebServer, name: str, data: bytes, accept: str, programme: str = "na-mg-2023"
) -> requests.Response:
    return requests.post(
        server.url + "/api/batch",
        files={"file": (name, data)},
        data={"programme": programme},
        headers={"Accept": accept},
        timeout=300,
    )


def test_batch_json_keeps_every_row_in_order(
    web_server: WebServer, store_path: Path, geo_sources: Path, tmp_path: Path
) -> None:
    """Every row, in order, with the statuses and reasons of `zoning batch` on the same file."""
    answer = _batch(web_server, "liste.csv", EXAMPLE.read_bytes(), "application/json")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    refs = [line.split(";")[0] for line in EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]]
    assert [r["Identifiant"] for r in body["resultats"]] == refs
    out = tmp_path / "cli.csv"
    env = {"ZONING_SOURCES": str(geo_sources), "ZONING_ADDOK_URL": "http://127.0.0.1:9"}
    subprocess.run(
        [
            str(ZONING),
            "batch",
            str(EXAMPLE),
            "--programme",
            "na-mg-2023",
            "-o",
            str(out),
            "--store",
            str(store_path),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    import csv

    with out.open(encoding="utf-8-sig") as handle:
        cli_rows = list(csv.DictReader(handle, delimiter=";"))
    assert [(r["statut"], r["motifs"] or None) for r in body["resultats"]] == [
        (r["statut"], r["motifs"] or None) for r in cli_rows
    ]
    assert body["statuts"]["éligible"] >= 1


def test_batch_file_by_accept(web_server: WebServer) -> None:
    answer = _batch(web_server, "liste.csv", EXAMPLE.read_bytes(), XLSX)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(XLSX)
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    assert {"Résultats", "Synthèse", "Provenance"} <= set(book.sheetnames)
    csv_answer = _batch(web_server, "liste.csv", EXAMPLE.read_bytes(), "text/csv")
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert "statut" in csv_answer.content.decode("utf-8-sig").splitlines()[0]


def test_batch_reads_an_ods_upload(web_server: WebServer, tmp_path: Path) -> None:
    """The sample list saved as OpenDocument (LibreOffice's format): every row, in order."""
    import pandas as pd

    frame = pd.read_csv(EXAMPLE, sep=";", dtype=str, keep_default_na=False)
    ods = tmp_path / "liste.ods"
    # pandas-stubs list only openpyxl and xlsxwriter; pandas writes .ods with odfpy.
    frame.to_excel(ods, engine="odf", index=False)  # type: ignore[arg-type]
    answer = _batch(web_server, "liste.ods", ods.read_bytes(), "application/json")
    assert answer.status_code == 200, answer.text
    assert [r["Identifiant"] for r in answer.json()["resultats"]] == list(frame["Identifiant"])


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("liste.exe", b"MZ\x90\x00", 400, "type de fichier"),
        ("liste.csv", b"", 400, "vide"),
        ("liste.csv", b"a;b\n" + b"x" * (11 * 2**20), 413, "trop gros"),
        ("liste.xlsx", b"not a workbook", 400, "en-tête"),
    ],
)
def test_batch_refuses_bad_uploads(
    web_server: WebServer, name: str, data: bytes, status: int, words: str
) -> None:
    answer = _batch(web_server, name, data, "application/json")
    assert answer.status_code == status, answer.text
    assert words in answer.json()["erreur"]


def test_batch_unknown_programme(web_server: WebServer) -> None:
    answer = _batch(web_server, "liste.csv", EXAMPLE.read_bytes(), "application/json", "nope")
    assert answer.status_code == 400 and "programme inconnu" in answer.json()["erreur"]


def test_check_page_escapes_the_query(web_server: WebServer) -> None:
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = get(web_server, "/", q=payload, date="")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_geocoder_down_is_503_and_logs_no_address(
    store_path: Path, geo_sources: Path, tmp_path: Path
) -> None:
    """A real fault: the geocoder URL is a closed loopback port."""
    env = {
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_ADDOK_URL": "http://127.0.0.1:9",
    }
    address = "12 rue des Capucins 23000 Guéret"
    with running_server(env, tmp_path) as server:
        answer = get(server, "/api/check", q=address)
        assert answer.status_code == 503
        assert "géocodeur" in answer.json()["erreur"]
        assert get(server, "/api/check", q="23096").status_code == 200  # the rest still works
        log = server.log_text()
    assert "Capucins" not in log and "rue des" not in log
