"""« Simuler » in real headless Chromium: a draft made in the page, its annex downloaded,
imported with ``zoning data import-decree``, and ``zoning compare`` showing exactly the
communes the page listed.

The server runs on its own copy of the store (the import writes it). The expected
communes are the Creuse's of the raw COG 2022 file not ZIP in the 2022 decree; the
territory table is SYNTHETIC (no TVS table in the sources). The screenshot goes to
``docs/img/web-simuler.png``.
"""

from __future__ import annotations

import csv
import html
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_web_pages import assert_clean, open_page, text
from web.conftest import TESTS, WebServer, running_server
from webpage import screenshot, wait_for, wait_replaced

sys.path.insert(0, str(TESTS / "store" / "decrees"))
from decree_helpers import OLD, copy_store, open_store, zoning

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def draft_server(
    store_path: Path, sources_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[WebServer, Path]]:
    work = tmp_path_factory.mktemp("web-draft")
    store = copy_store(store_path, work / "store")
    env = {"ZONING_STORE": str(store), "ZONING_SOURCES": str(sources_dir)}
    with running_server(env, work) as server:
        yield server, store


def creuse_not_zip(sources: Path, store: Path) -> set[str]:
    with (sources / "cog_communes" / "cog2022_communes.csv").open(encoding="utf-8") as handle:
        creuse = {
            r["COM"] for r in csv.DictReader(handle) if r["TYPECOM"] == "COM" and r["DEP"] == "23"
        }
    zones = open_store(store).zones(OLD)
    old = dict(zip(zones["code"], zones["zone"], strict=True))
    return {c for c in creuse if old.get(c) != "ZIP"}


def submit(driver: Any, button_id: str) -> None:
    before = driver.find_element(By.ID, "projet")
    driver.find_element(By.ID, button_id).click()
    wait_replaced(driver, before)
    wait_for(lambda: driver.find_elements(By.ID, "projet"), what="the draft page")


def test_draft_in_browser_import_compare(
    draft_server: tuple[WebServer, Path], browser: Any, sources_dir: Path, tmp_path: Path
) -> None:
    server, store = draft_server
    open_page(browser, server, "/simuler")
    assert_clean(browser, server)
    menu = browser.find_element(By.CSS_SELECTOR, "#menu a[href='/simuler']")
    assert menu.get_attribute("aria-current") == "page"
    assert "Projet" in text(browser, "badge-projet")
    assert (
        Select(browser.find_element(By.ID, "depuis")).first_selected_option.get_attribute("value")
        == OLD
    )
    assert "sous le plafond" in text(browser, "jauge-ZIP")

    Select(browser.find_element(By.ID, "classe")).select_by_value("ZIP")
    Select(browser.find_element(By.ID, "cible")).select_by_value("departement")
    browser.find_element(By.ID, "valeur").send_keys("23")
    submit(browser, "appliquer")
    gauge = text(browser, "jauge-ZIP")
    assert "au-dessus du plafond" in gauge and "plafond 16,8 %" in gauge
    meter = browser.find_element(By.CSS_SELECTOR, "#jauge-ZIP meter")
    assert float(meter.get_attribute("value")) > float(meter.get_attribute("high")) == 16.8
    assert "ZIP : département 23 (256 commune(s))" in text(browser, "operations")
    assert "PROJET de zonage" in text(browser, "titre-projet")
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-changements tbody tr")
    shown = {r.find_elements(By.TAG_NAME, "td")[0].text for r in rows}
    expected = creuse_not_zip(sources_dir, store)
    assert shown == expected
    assert_clean(browser, server)
    screenshot(browser, "web-simuler")

    # the annex, downloaded by the browser
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.find_element(By.ID, "telecharger-xlsx").click()
    annex = tmp_path / "projet-zonage.xlsx"
    deadline = time.monotonic() + 60
    while not annex.is_file() or list(tmp_path.glob("*.crdownload")):
        assert time.monotonic() < deadline, "the annex was not downloaded"
        time.sleep(0.2)

    # the same draft as layers for QGIS: its classes, its changes, « projet »
    browser.find_element(By.ID, "telecharger-gpkg").click()
    layers = tmp_path / "projet-zonage.gpkg"
    while not layers.is_file() or list(tmp_path.glob("*.crdownload")):
        assert time.monotonic() < deadline, "the GeoPackage was not downloaded"
        time.sleep(0.2)
    moved = pyogrio.read_dataframe(layers, layer="changements", read_geometry=False)
    assert set(moved["code"]) == expected and set(moved["classe_apres"]) == {"ZIP"}
    classes = pyogrio.read_dataframe(layers, layer="communes", read_geometry=False)
    assert set(classes.loc[classes["departement"] == "23", "classe"]) == {"ZIP"}
    provenance = pyogrio.read_dataframe(layers, layer="provenance")
    rows = dict(zip(provenance["cle"], provenance["valeur"], strict=True))
    assert rows["statut"].startswith("PROJET") and rows["communes changées"] == str(len(expected))

    done = zoning(
        store, "data", "import-decree", str(annex), "--region", "75", "--id", "projet-web",
        "--in-force", "2031-01-01", "--replaces", OLD,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    changes = tmp_path / "changements.csv"
    done = zoning(store, "compare", OLD, "projet-web", "-o", str(changes))
    assert done.returncode == 0, done.stderr
    with changes.open(encoding="utf-8-sig", newline="") as handle:
        compared = {r[0] for r in list(csv.reader(handle, delimiter=";"))[1:]}
    assert compared == shown == expected

    # territory by territory: a SYNTHETIC table uploaded, Guéret's territory to HZ
    table = tmp_path / "SYNTHETIQUE-territoires.csv"
    table.write_text("Code TVS;Code INSEE\nT-SYNTH;23096\nT-SYNTH;23008\n", encoding="utf-8")
    Select(browser.find_element(By.ID, "classe")).select_by_value("HZ")
    Select(browser.find_element(By.ID, "cible")).select_by_value("territoire")
    browser.find_element(By.ID, "valeur").send_keys("T-SYNTH")
    browser.find_element(By.ID, "territoires").send_keys(str(table))
    submit(browser, "appliquer")
    assert "HZ : territoire T-SYNTH (2 commune(s))" in text(browser, "operations")
    assert "23096" in text(browser, "table-changements")
    # undo the last change: the territory's communes go back to the département's class
    submit(browser, "annuler")
    assert "T-SYNTH" not in text(browser, "operations")

    # a bad code: a French error, the draft kept
    Select(browser.find_element(By.ID, "cible")).select_by_value("commune")
    browser.find_element(By.ID, "valeur").send_keys("75056")
    submit(browser, "appliquer")
    assert "absente de la région 75" in text(browser, "erreur")
    assert "ZIP : département 23" in text(browser, "operations")
    assert_clean(browser, server)


def test_empty_draft_typed_caps_and_bad_form(draft_server: tuple[WebServer, Path]) -> None:
    server, _ = draft_server
    form = {
        "depuis": "",
        "region": "75",
        "plafond_ZIP": "1,5",
        "marge": "10",
        "classe": "ZIP",
        "cible": "departement",
        "valeur": "23",
        "action": "ajouter",
        "operations": '{"operations": []}',
    }
    page = requests.post(server.url + "/simuler", data=form, timeout=60)
    assert page.status_code == 200
    assert "Projet — non adopté" in page.text and "aucun (projet vide)" in page.text
    # Creuse alone: 1,94 % of the region, above 1,5 % and its 10 % margin (1,65 %)
    assert "marge jusqu'à 1,65 %" in page.text
    assert "au-dessus du plafond et de la marge" in page.text
    ops = page.text.split('name="operations" value="', 1)[1].split('"', 1)[0]
    csv_form = {**form, "operations": html.unescape(ops)}
    answer = requests.post(server.url + "/simuler/annexe.csv", data=csv_form, timeout=60)
    assert answer.status_code == 200
    assert "projet-zonage.csv" in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("PROJET de zonage") and lines[1].startswith("code_insee;")
    assert len(lines) == 2 + 256  # the Creuse's communes, nothing else classed
    # a tampered list of changes: a French error, no traceback
    bad = requests.post(
        server.url + "/simuler",
        data={**form, "operations": '{"operations": [{"x": 1}]}'},
        timeout=60,
    )
    assert bad.status_code == 400 and "changements du projet illisibles" in bad.text
    wrong = requests.post(server.url + "/simuler/annexe.exe", data=csv_form, timeout=60)
    assert wrong.status_code == 400
