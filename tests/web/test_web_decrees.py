"""« Données › Charger un arrêté » in real headless Chromium: upload a SYNTHETIC annex,
preview, adopt, the check page answering from it, undo.

The server runs on its own copy of the store (adoption writes the store; the session's
store is never written). The annex is a SYNTHETIC CartoSanté-shaped export of the 2022
classes with Guéret (23096) moved from ZIP to HZ: the preview must list exactly that
change. The screenshot of the preview goes to ``docs/img/web-annexe-apercu.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from test_web_pages import assert_clean, map_ready, open_page, text
from web.conftest import TESTS, WebServer, running_server
from webpage import screenshot, wait_for

sys.path.insert(0, str(TESTS / "store" / "decrees"))
from decree_helpers import OLD, copy_store
from synthetic_annex import NA_DEPARTEMENTS, Commune, write_cartosante_csv

from zoning.store import ZoningStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own_server(
    store_path: Path, sources_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    work = tmp_path_factory.mktemp("web-decrees")
    store = copy_store(store_path, work / "store")
    env = {"ZONING_STORE": str(store), "ZONING_SOURCES": str(sources_dir)}
    with running_server(env, work) as server:
        yield server


@pytest.fixture(scope="module")
def synthetic_export(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = ZoningStore.open(store_path)
    zones = store.zones(OLD)
    classes = dict(zip(zones["code"], zones["zone"], strict=True))
    communes = store.communes(["code", "name", "departement", "region"])
    communes = communes.loc[communes["region"] == "75"]
    rows = [
        Commune(c, n, d, NA_DEPARTEMENTS[d], "HZ" if c == "23096" else classes[c])
        for c, n, d in zip(communes["code"], communes["name"], communes["departement"], strict=True)
    ]
    folder = tmp_path_factory.mktemp("annexe")
    # The helpers are found by the path set above, which mypy does not follow: Any here.
    export: Path = write_cartosante_csv(folder / "SYNTHETIQUE-export-cartosante.csv", rows, [])
    return export


def test_upload_preview_adopt_check_undo(
    own_server: WebServer, browser: Any, synthetic_export: Path
) -> None:
    open_page(browser, own_server, "/donnees")
    browser.find_element(By.ID, "charger-annexe").click()
    wait_for(lambda: browser.find_elements(By.ID, "envoi-annexe"), what="the annex form")
    assert_clean(browser, own_server)
    browser.find_element(By.ID, "fichier").send_keys(str(synthetic_export))
    browser.find_element(By.ID, "id").send_keys("synthetique-web")
    browser.execute_script("document.getElementById('in_force').value = '2035-01-01';")
    browser.find_element(By.CSS_SELECTOR, f"#replaces option[value='{OLD}']").click()
    browser.find_element(By.ID, "apercu").click()
    wait_for(lambda: browser.find_elements(By.ID, "table-changements"), 120, "the preview")
    changes = text(browser, "table-changements")
    assert "23096" in changes and "Guéret" in changes and "ZIP" in changes
    assert "(1)" in changes  # exactly one commune changes
    assert text(browser, "non-rattachees") == "0"
    assert "export CartoSanté" in text(browser, "resume")
    assert "ZIP" in text(browser, "table-classes")
    assert_clean(browser, own_server)
    screenshot(browser, "web-annexe-apercu")

    browser.find_element(By.ID, "adopter").click()
    wait_for(lambda: browser.find_elements(By.ID, "message"), 120, "the adoption")
    assert "synthetique-web adopté" in text(browser, "message")
    table = text(browser, "table-arretes")
    assert "SYNTHETIQUE-export-cartosante.csv" in table and "sha256" in table

    open_page(browser, own_server, "/", q="23096", date="2035-06-01")
    assert "HZ" in text(browser, "reponse-titre") + text(browser, "arrete") or "HZ" in (
        browser.find_element(By.TAG_NAME, "main").text
    )
    assert "SYNTHETIQUE-export-cartosante.csv adoptée le" in text(browser, "arrete")

    open_page(browser, own_server, "/donnees")
    browser.find_element(By.ID, "retirer-synthetique-web").click()
    wait_for(lambda: browser.find_elements(By.ID, "message"), 60, "the removal")
    assert "retiré" in text(browser, "message")
    assert "SYNTHETIQUE-export-cartosante.csv" not in text(browser, "table-arretes")
    open_page(browser, own_server, "/", q="23096", date="2035-06-01")
    assert "adoptée" not in browser.find_element(By.TAG_NAME, "main").text
    # The answer's map asks this server for its communes: drawn before the server stops,
    # else the reset request is the next page test's console error.
    assert map_ready(browser) == "1"


def test_store_changes_only_from_the_servers_machine() -> None:
    """A request from another address may not adopt or remove a decree (no authentication).

    The request is built by hand (a fault we cannot cause for real without listening on a
    network interface, which the tests never do): only its client address matters.
    """
    from starlette.requests import Request

    from zoning.web.routes.decrees import _local

    def request(host: str) -> Request:
        return Request({"type": "http", "client": (host, 5000), "headers": [], "method": "POST"})

    assert _local(request("127.0.0.1")) and _local(request("::1"))
    assert not _local(request("192.0.2.10")) and not _local(request("10.0.0.1"))
    assert not _local(request("not an address"))
