"""Each page in real headless Chromium: searches, errors, keyboard, accessibility, network.

Chromium resolves no host but 127.0.0.1 (``--host-resolver-rules``); every page must load
without a failed request and without leaving the server, and have no serious or critical
axe-core violation. Screenshots go to ``docs/img/`` for the README.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from web.conftest import WebServer
from webpage import axe_violations, frame_map_ready, network_problems, screenshot, wait_for

from zoning.sources.names import normalize_name

pytestmark = pytest.mark.slow


def open_page(driver: Any, server: WebServer, path: str, **params: str) -> None:
    driver.get_log("performance")  # forget the previous page's requests
    url = server.url + path + ("?" + urlencode(params) if params else "")
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete", what=url)


def assert_clean(driver: Any, server: WebServer) -> None:
    """No request outside the server, none failed, no serious/critical accessibility issue."""
    assert network_problems(driver, server.url) == []
    assert axe_violations(driver) == []
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "status of 4" not in e] == []


def map_ready(driver: Any) -> str:
    return wait_for(
        lambda: driver.find_element(By.ID, "carte").get_attribute("data-ready"),
        timeout=60,
        what="the answer's map",
    )


def text(driver: Any, element_id: str) -> str:
    """An element's text, found afresh (never a reference held across a redraw)."""
    found = wait_for(
        lambda: [driver.find_element(By.ID, element_id).get_attribute("textContent")],
        what=f"#{element_id}",
    )
    return str(found[0]).strip()


def test_search_by_name_with_autocomplete(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/")
    assert_clean(browser, web_server)
    screenshot(browser, "web-accueil")
    field = browser.find_element(By.ID, "q")
    field.send_keys("Guére")
    options = wait_for(
        lambda: [
            o.get_attribute("value")
            for o in browser.find_elements(By.CSS_SELECTOR, "#q-communes option")
        ],
        what="suggestions",
    )
    assert "Guéret (23096)" in options
    field.clear()
    field.send_keys("Guéret (23096)")
    browser.find_element(By.ID, "date").clear()
    field.send_keys(Keys.ENTER)
    wait_for(lambda: browser.find_elements(By.ID, "verdict"), what="the answer")
    assert text(browser, "verdict") == "oui"
    assert text(browser, "classe").startswith("ZIP")
    assert "25/04/2022" in text(browser, "arrete")
    assert map_ready(browser) == "1"
    assert browser.execute_script("return document.activeElement.id") == "reponse"
    assert_clean(browser, web_server)
    screenshot(browser, "web-lieu")


def test_homonyms_are_listed_by_departement(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="Saint-Martin", date="")
    alert = text(browser, "reponse")
    assert "plusieurs communes" in alert and "département 32" in alert
    assert_clean(browser, web_server)


def test_old_code_on_a_date(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="23121", date="2023-11-01")
    assert "ancien code 23121 (Malval)" in text(browser, "remarques")
    assert "Linard-Malval (23109)" in text(browser, "reponse-titre")
    assert "01/11/2023" in text(browser, "arrete")
    map_ready(browser)
    assert_clean(browser, web_server)


def test_address_through_local_addok(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="39 avenue de la Sénatorerie 23000 Guéret", date="")
    notes = text(browser, "remarques")
    assert "géocodé" in notes and "précision address" in notes
    assert "Guéret (23096)" in text(browser, "reponse-titre")
    map_ready(browser)
    assert_clean(browser, web_server)
    screenshot(browser, "web-adresse")


def test_finess_number_against_the_finess_file(
    web_server: WebServer, browser: Any, geo_sources: Path
) -> None:
    """The commune found is the one the FINESS record itself names."""
    path = geo_sources / "finess" / "eurostat_healthcare_FR_hospitals_2020.csv"
    with path.open(encoding="utf-8") as handle:
        record = next(r for r in csv.DictReader(handle) if r["id"] == "230000820")
    open_page(browser, web_server, "/", q="230000820", date="")
    title = text(browser, "reponse-titre")
    assert normalize_name(title.split(" (")[0]) == normalize_name(record["city"])
    assert "finess" in text(browser, "remarques").lower()
    assert_clean(browser, web_server)


def test_point(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="1.87113, 46.16497", date="")
    assert "Guéret (23096)" in text(browser, "reponse-titre")
    assert "lon 1.87113" in browser.find_element(By.ID, "reponse").text
    map_ready(browser)
    assert_clean(browser, web_server)


def test_bad_query_says_why(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="12", date="")
    alert = browser.find_element(By.ID, "reponse")
    assert alert.get_attribute("role") == "alert" and "illisible" in alert.text
    assert browser.execute_script("return document.activeElement.id") == "reponse"
    assert_clean(browser, web_server)
    screenshot(browser, "web-erreur")


def test_keyboard_only(web_server: WebServer, browser: Any) -> None:
    """Tab to the field, type, Enter: the answer is shown and has the focus."""
    open_page(browser, web_server, "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(25):
        if browser.execute_script("return document.activeElement.id") == "q":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.execute_script("return document.activeElement.id") == "q"
    active = browser.switch_to.active_element
    # Lyon: its region's classes carry no dates, so today's date (the default) answers
    active.send_keys("69123")
    active.send_keys(Keys.ENTER)
    wait_for(lambda: browser.find_elements(By.ID, "verdict"), what="the answer")
    assert browser.execute_script("return document.activeElement.id") == "reponse"
    assert browser.title.startswith("Lyon : zone sous-dense")


def test_default_date_is_today_and_says_when_no_decree(web_server: WebServer, browser: Any) -> None:
    """Guéret today: the decree of 30/12/2025 applies but its annex is not loaded; the page
    says so and names the command that loads it, never the 2022 classes in silence."""
    open_page(browser, web_server, "/", q="23096")
    alert = text(browser, "reponse")
    assert "n'est pas chargé" in alert and "import-decree" in alert
    assert "à vérifier" in alert
    assert_clean(browser, web_server)


def test_printable_sheet(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/", q="23096", date="2023-11-01", fiche="1")
    assert browser.find_element(By.ID, "recherche").is_displayed() is False
    assert "Fiche de vérification" in text(browser, "reponse")
    map_ready(browser)
    assert_clean(browser, web_server)
    screenshot(browser, "web-fiche")


def test_coverage_page(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/couverture", region="75")
    table = text(browser, "table-departements")
    assert "Creuse" in table and "Région" in table
    frame_map_ready(browser)
    assert_clean(browser, web_server)
    screenshot(browser, "web-couverture")


def test_data_page(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/donnees")
    assert "25/04/2022" in text(browser, "table-arretes")
    sources = text(browser, "table-sources")
    assert "cog2022_communes.csv" in sources and len(sources) > 200
    assert_clean(browser, web_server)
    screenshot(browser, "web-donnees")


def test_api_docs_load_from_the_server(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/api/docs")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock"), what="swagger ui")
    assert network_problems(browser, web_server.url) == []
