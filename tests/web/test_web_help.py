"""« Aide » and the guides in real headless Chromium, and the instructor's guide walked.

The « Aide » page must give every code of the catalogue its anchor (``/aide#<CODE>``,
the links of the result pages rely on it); the guides' pages must load their images and
every link in them must lead somewhere that exists, anchor included. The list part of the
instructor's guide is followed click by click, by the words the guide prints, on the
example Démarches Simplifiées export. Screenshots go to ``docs/img/`` for the guides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_web_pages import assert_clean, open_page, text
from web.conftest import WebServer
from webpage import screenshot, wait_for, wait_replaced

from zoning.reasons import catalogue, is_code
from zoning.web.guides import GUIDES

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DS_EXPORT = REPO / "data" / "examples" / "dossiers_postes-partages-mg-na_2023-05-02_10-15.xlsx"


def click_text(driver: Any, tag: str, words: str) -> None:
    """Click the ``tag`` element whose text is ``words``, as the guide names it."""
    driver.find_element(By.XPATH, f"//{tag}[normalize-space()={words!r}]").click()


def test_help_page_has_every_code_and_is_clean(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/aide")
    assert browser.title.startswith("Aide")
    current = browser.find_element(By.CSS_SELECTOR, "#menu a[aria-current=page]")
    assert current.text == "Aide"
    for code, entry in catalogue().items():
        section = browser.find_element(By.ID, code)
        assert section.tag_name == "section"
        shown = section.text.replace("\n", " ")
        assert code in shown and entry.titre.replace("`", "") in shown
        for step in entry.que_faire:
            assert " ".join(step.replace("`", "").split()) in shown
    guides = browser.find_elements(By.CSS_SELECTOR, "#liste-guides a")
    assert [a.text for a in guides] == list(GUIDES.values())
    assert_clean(browser, web_server)
    screenshot(browser, "web-aide")


def test_a_code_link_lands_on_its_entry(web_server: WebServer, browser: Any) -> None:
    code = next(iter(catalogue()))
    open_page(browser, web_server, f"/aide#{code}")
    assert browser.execute_script("return document.querySelector(':target').id") == code
    assert_clean(browser, web_server)


def test_menu_leads_to_help(web_server: WebServer, browser: Any) -> None:
    open_page(browser, web_server, "/")
    browser.find_element(By.CSS_SELECTOR, "#menu").find_element(By.LINK_TEXT, "Aide").click()
    wait_for(lambda: urlparse(browser.current_url).path == "/aide", what="the « Aide » page")
    assert text(browser, "questions") == "Questions fréquentes"


def test_instructor_guide_walk_on_the_ds_export(web_server: WebServer, browser: Any) -> None:
    """« Vérifier une liste », the DS export, the programme, « Envoyer et voir les
    colonnes », « Lancer la vérification »: the figures the guide prints."""
    open_page(browser, web_server, "/")
    browser.find_element(By.CSS_SELECTOR, "#menu").find_element(
        By.LINK_TEXT, "Vérifier une liste"
    ).click()
    wait_for(lambda: browser.find_elements(By.ID, "fichier"), what="the upload form")
    browser.find_element(By.ID, "fichier").send_keys(str(DS_EXPORT))
    Select(browser.find_element(By.ID, "programme")).select_by_visible_text(
        "Postes partagés ville-hôpital de jeunes médecins généralistes, Nouvelle-Aquitaine, "
        "campagne 2023 (na-mg-2023)"
    )
    screenshot(browser, "guide-liste-ds-envoi")
    click_text(browser, "button", "Envoyer et voir les colonnes")
    wait_for(lambda: browser.find_elements(By.ID, "correspondance"), what="the mapping")
    assert "Correspondance des colonnes" in browser.find_element(By.ID, "correspondance").text
    assert_clean(browser, web_server)
    screenshot(browser, "guide-liste-ds-colonnes")
    click_text(browser, "button", "Lancer la vérification")
    wait_for(
        lambda: browser.find_elements(By.ID, "table-resultats"), timeout=180, what="the results"
    )
    summary = text(browser, "bilan")
    for figure in (
        "20 lignes",
        "éligible 8",
        "non éligible 6",
        "à vérifier 4",
        "données invalides 2",
    ):
        assert figure in summary, summary
    wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "iframe.zoning-frame"),
        timeout=180,
        what="the posts map",
    )
    assert_clean(browser, web_server)
    screenshot(browser, "guide-liste-ds-resultats")
    table = browser.find_element(By.ID, "table-resultats")
    click_text(browser, "button", "Effacer maintenant le fichier et ses résultats")
    wait_replaced(browser, table)  # the upload's page is gone


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_guide_renders_with_images_and_live_links(
    web_server: WebServer, browser: Any, name: str
) -> None:
    open_page(browser, web_server, f"/aide/{name}")
    assert browser.find_element(By.TAG_NAME, "h1").text == GUIDES[name]
    images = browser.find_elements(By.CSS_SELECTOR, "#guide img")
    assert images
    for img in images:
        assert browser.execute_script("return arguments[0].naturalWidth", img) > 0, (
            img.get_attribute("src")
        )
        assert img.get_attribute("alt")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#guide pre code")) >= 3
    assert_clean(browser, web_server)
    links = {
        str(a.get_attribute("href"))
        for a in browser.find_elements(By.CSS_SELECTOR, "#guide a, nav a, p a")
    }
    internal = sorted(link for link in links if link.startswith(web_server.url))
    assert f"{web_server.url}/aide" in {urldefrag(link)[0] for link in internal}
    for link in internal:
        page, anchor = urldefrag(link)
        assert requests.get(page, timeout=30).status_code == 200, link
        if is_code(anchor) and anchor not in catalogue():
            continue  # a code the catalogue lacks: tests/cli/test_guides.py says so
        if anchor:
            if page != urldefrag(browser.current_url)[0]:
                open_page(browser, web_server, urlparse(page).path)
            assert browser.find_elements(By.ID, anchor), link
