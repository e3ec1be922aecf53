"""« Vérifier une liste » in Chromium: a nasty file, one column corrected, results, downloads.

The file is the project's example list (real places, made-up people) made hostile: a
title row above the header, a header the matcher cannot know (« Champ libre 7 »,
corrected in the page), markup and a formula in text cells, a blank and a duplicated
row. The server's log is read afterwards: no name, RPPS or address from the file in it.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from web.conftest import WebServer
from webpage import (
    axe_violations,
    frame_map_ready,
    network_problems,
    screenshot,
    wait_for,
    wait_replaced,
)

from zoning.reasons import catalogue

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def nasty_file(folder: Path) -> tuple[Path, list[str]]:
    """The example list made hostile; returns the file and the personal strings in it."""
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8")), delimiter=";"))
    header = rows[0]
    header[header.index("Site code INSEE")] = "Champ libre 7"
    body = rows[1:]
    body[0][1] = f"Zoé Payload {PAYLOAD}"
    body[1][1] = '=HYPERLINK("http://example.invalid","clic")'
    personal = [r[1] for r in body if r[1]] + [r[2] for r in body if r[2]]
    out = folder / "liste piégée.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Campagne 2023 — liste des candidatures (titre au-dessus de l'en-tête)"])
        writer.writerow(header)
        writer.writerows(body[:3])
        writer.writerow([""] * len(header))
        writer.writerows(body[3:])
        writer.writerow(body[2])  # duplicated row
    return out, personal


def test_upload_correct_run_download_map(
    web_server: WebServer, browser: Any, tmp_path: Path
) -> None:
    path, personal = nasty_file(tmp_path)
    browser.get_log("performance")
    browser.get(web_server.url + "/liste")
    assert axe_violations(browser) == []
    screenshot(browser, "web-liste")
    browser.find_element(By.ID, "fichier").send_keys(str(path))
    Select(browser.find_element(By.ID, "programme")).select_by_value("na-mg-2023")
    browser.find_element(By.CSS_SELECTOR, "#envoi button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "correspondance"), what="the mapping form")
    assert axe_violations(browser) == []
    label = browser.find_element(By.XPATH, "//label[normalize-space()='Champ libre 7']")
    select = Select(browser.find_element(By.ID, label.get_attribute("for")))
    assert select.first_selected_option.get_attribute("value") == ""
    select.select_by_value("site1_insee")
    screenshot(browser, "web-liste-colonnes")
    browser.find_element(By.CSS_SELECTOR, "#correspondance button[type=submit]").click()
    wait_for(
        lambda: browser.find_elements(By.ID, "table-resultats"), timeout=180, what="the results"
    )
    table = browser.find_element(By.ID, "table-resultats")
    lines = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    expected_rows = 1 + (len(EXAMPLE.read_text(encoding="utf-8").splitlines()) - 1) + 1
    assert len(lines) == expected_rows  # every row, the blank and the duplicate included
    first = lines[0].find_elements(By.TAG_NAME, "td")
    assert first[0].text == "3" and first[1].text == "EX01"  # file line: title, header, row
    # the corrected column placed EX01's site in Aubusson (INSEE 23008, COG)
    assert "Aubusson (23008)" in first[4].text
    statuses = [tr.find_elements(By.TAG_NAME, "td")[2].text for tr in lines]
    assert statuses.count("données invalides") >= 2  # the blank row and the duplicate
    assert "ligne vide" in table.text and "ligne en double" in table.text
    # each reason with its code, a link to its entry of the « Aide » page
    codes = table.find_elements(By.CSS_SELECTOR, "td.zoning-reasons a.zoning-code")
    assert {"DONNEES-LIGNE-VIDE", "DONNEES-LIGNE-DOUBLE"} <= {a.text for a in codes}
    assert all(a.get_attribute("href").endswith(f"/aide#{a.text}") for a in codes)
    assert {a.text for a in codes} <= set(catalogue())
    assert (
        browser.execute_script("return document.querySelectorAll('script:not([src])').length") == 0
    )
    wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "iframe.zoning-frame"),
        timeout=180,
        what="the posts map",
    )
    assert axe_violations(browser) == []
    screenshot(browser, "web-liste-resultats")

    # filter by status (server side, no JavaScript needed)
    Select(browser.find_element(By.ID, "statut")).select_by_value("données invalides")
    before = browser.find_element(By.ID, "table-resultats")
    browser.find_element(By.CSS_SELECTOR, "#filtres button").click()
    wait_replaced(browser, before)  # the filtered page replaced it
    shown = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#table-resultats tbody tr"))
    assert {tr.find_elements(By.TAG_NAME, "td")[2].text for tr in shown} == {"données invalides"}

    # the posts map, inside its frame
    frame_map_ready(browser)
    assert network_problems(browser, web_server.url) == []

    links = {
        a.get_attribute("href").rsplit("/", 1)[1]: a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#telechargements a")
    }
    assert set(links) == {"resultats.xlsx", "resultats.csv", "resultats.geojson"}
    answer = requests.get(links["resultats.xlsx"], timeout=60)
    assert answer.status_code == 200, answer.text[answer.text.find("<main") :][:1500]
    book = load_workbook(io.BytesIO(answer.content))
    results = book["Résultats"]
    names = [results.cell(row=r, column=2).value for r in range(2, 5)]
    assert names[1].startswith("'=")  # formula guarded
    assert {"Synthèse", "Motifs", "Provenance"} <= set(book.sheetnames)
    listed = [r[0] for r in book["Motifs"].iter_rows(min_row=2, values_only=True)]
    assert "DONNEES-LIGNE-VIDE" in listed
    # deleted after download
    assert requests.get(links["resultats.xlsx"], timeout=60).status_code == 404
    answer = requests.get(links["resultats.geojson"], timeout=60)
    assert answer.status_code == 200, answer.text[answer.text.find("<main") :][:1500]
    geo = answer.json()
    assert len(geo["features"]) == expected_rows

    log = web_server.log_text()
    for value in personal:
        assert value not in log
    assert "Sénatorerie" not in log and "liste piégée" not in log


def test_upload_refused_in_french(web_server: WebServer, browser: Any, tmp_path: Path) -> None:
    bad = tmp_path / "programme.exe"
    bad.write_bytes(b"MZ\x90\x00")
    browser.get(web_server.url + "/liste")
    browser.find_element(By.ID, "fichier").send_keys(str(bad))
    Select(browser.find_element(By.ID, "programme")).select_by_value("na-mg-2023")
    browser.find_element(By.CSS_SELECTOR, "#envoi button[type=submit]").click()
    alert = wait_for(lambda: browser.find_elements(By.ID, "erreur"), what="the refusal")[0]
    assert "type de fichier non accepté" in alert.text


def test_one_field_from_two_columns_is_refused(web_server: WebServer) -> None:
    session = requests.Session()
    sent = session.post(
        web_server.url + "/liste",
        files={"fichier": ("liste.csv", EXAMPLE.read_bytes())},
        data={"programme": "na-mg-2023"},
        timeout=60,
    )
    assert sent.status_code == 200 and "/liste/" in sent.url
    # the programme chosen when sending is still chosen on the mapping page (any worker)
    again = session.get(sent.url, timeout=60).text
    assert re.search(r'<option value="na-mg-2023" selected>', again)
    form = {"programme": "na-mg-2023", "col0": "ref", "col1": "ref"}
    page = html.unescape(session.post(sent.url + "/lancer", data=form, timeout=60).text)
    assert "un champ ne peut venir que d'une colonne" in page
    assert "« Identifiant », « Nom (fictif) »" in page
    session.post(sent.url + "/supprimer", timeout=60)
    assert session.get(sent.url, timeout=60).status_code == 404


def test_progress_and_results_seen_by_every_worker(web_server: WebServer, tmp_path: Path) -> None:
    """A 3 000-row list (the example's rows repeated with new references: synthetic)
    run on the server's two worker processes: every look at the run, whichever worker
    answers it, sees the same run go forward, then the results and the files."""
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8")), delimiter=";"))
    big = tmp_path / "liste-3000.csv"
    with big.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(rows[0])
        for i in range(3000):
            writer.writerow([f"SYN{i:04d}", *rows[1 + i % (len(rows) - 1)][1:]])
    sent = requests.post(
        web_server.url + "/liste",
        files={"fichier": (big.name, big.read_bytes())},
        data={"programme": "na-mg-2023"},
        timeout=60,
    )
    assert sent.status_code == 200 and "/liste/" in sent.url
    page = html.unescape(sent.text)
    assert "3000 lignes" in page
    form = {"programme": "na-mg-2023"}
    for number in range(len(rows[0])):
        found = re.search(
            rf'id="col{number}" name="col{number}">.*?value="([^"]*)" selected', sent.text, re.S
        )
        form[f"col{number}"] = found.group(1) if found else ""
    started = requests.post(sent.url + "/lancer", data=form, timeout=60)
    assert started.status_code == 200
    again = requests.post(sent.url + "/lancer", data=form, timeout=60)  # a second click
    assert again.status_code == 200
    seen = []
    for _ in range(600):
        state = requests.get(sent.url + "/etat", timeout=60).json()
        seen.append(state)
        if state["etat"] != "en cours":
            break
        time.sleep(0.05)
    assert seen[-1]["etat"] == "terminé", seen[-1]
    done = [s["faites"] for s in seen if s["etape"] == "règles du programme"]
    assert done == sorted(done) and all(s["total"] in (0, 3000) for s in seen)
    assert seen[-1]["prets"] == [".csv", ".geojson", ".html", ".xlsx"]
    results = requests.get(sent.url, timeout=60).text
    assert results.count("<tr>") >= 3000 and "3000 lignes vérifiées" in results
    # downloads answered by any worker, each file once
    answers = [requests.get(f"{sent.url}/resultats.csv", timeout=60) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 404]
    assert len(answers[0].text.splitlines()) == 3001


@pytest.mark.parametrize("token", ["..%2F..%2Fetc", "x" * 24, "%2E%2E", "a/../b"])
def test_unknown_or_hostile_token_is_not_found(web_server: WebServer, token: str) -> None:
    for path in ("", "/etat", "/resultats.csv"):
        answer = requests.get(f"{web_server.url}/liste/{token}{path}", timeout=60)
        assert answer.status_code == 404
