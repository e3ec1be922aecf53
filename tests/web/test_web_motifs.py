"""Codes of reasons on the web: the API gives them, the pages link each to the « Aide »
page's entry (``/aide#CODE``), and FastAPI's own 422 answers in French like the app's
other errors. Live server over HTTP (real store)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import requests
from web.conftest import WebServer

from zoning.reasons import catalogue

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "candidats_exemple.csv"


def test_check_api_and_page_give_the_code(web_server: WebServer) -> None:
    params = {"q": "87085", "date": "2023-11-01"}  # Limoges: HZ, QPV without perimeters
    answer = requests.get(web_server.url + "/api/check", params=params, timeout=60).json()
    assert answer["verdict"] == "à vérifier"
    assert answer["code"] in catalogue()
    assert answer["motifs"][0]["code"] == answer["code"]
    assert answer["motifs"][0]["titre"] == catalogue()[answer["code"]].titre
    page = requests.get(web_server.url + "/", params=params, timeout=60)
    motif = html.unescape(page.text).split('id="motif"', 1)[1].split("</p>", 1)[0]
    assert f'href="/aide#{answer["code"]}"' in motif
    assert f">{answer['code']}</a>" in motif


def test_batch_api_gives_the_codes_present(web_server: WebServer) -> None:
    sent = requests.post(
        web_server.url + "/api/batch",
        files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())},
        data={"programme": "na-mg-2023"},
        timeout=300,
    )
    assert sent.status_code == 200, sent.text
    body = sent.json()
    per_row: dict[str, int] = {}
    for row in body["resultats"]:
        texts = (row["motifs"] or "").split(" | ") if row["motifs"] else []
        codes = (row["codes_motifs"] or "").split(" | ") if row["codes_motifs"] else []
        assert len(texts) == len(codes), row
        if row["statut"] != "éligible":
            assert codes, row
        for code in set(codes):
            per_row[code] = per_row.get(code, 0) + 1
    listed = {m["code"]: m for m in body["motifs"]}
    assert {c: m["lignes"] for c, m in listed.items() if c in per_row} == per_row
    for code, motif in listed.items():
        assert motif["titre"] == catalogue()[code].titre


def test_validation_error_in_french(web_server: WebServer) -> None:
    answer = requests.get(web_server.url + "/api/check", timeout=60)
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == {"erreur", "code"} and body["code"] == 422
    assert "paramètre « q » manquant" in body["erreur"]
    assert not re.search(r"\b(field|required|missing)\b", body["erreur"])
    sent = requests.post(web_server.url + "/api/batch", data={}, timeout=60)
    assert sent.status_code == 422
    assert "champ « file » manquant" in sent.json()["erreur"]


def test_openapi_says_the_french_422(web_server: WebServer) -> None:
    schema = requests.get(web_server.url + "/api/openapi.json", timeout=60).json()
    assert "HTTPValidationError" not in str(schema)
    answer = schema["paths"]["/api/communes"]["get"]["responses"]["422"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorAnswer")
    assert "Motif" in schema["components"]["schemas"]  # the codes of /api/check's answer
