"""Strings from data never run as markup in a map (issue 10 #3), in real headless Chromium.

Every column of a posts input and the commune / QPV / département names of a coverage
map carry HTML payloads (hand-written, labelled so; the places are real). Each payload
would set ``window.__pwned`` if it ran. The pages are opened, every popup, tooltip,
layer-control entry and search tip is shown, and then: no payload ran, no element was
created from data, and the text is shown literally.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from map_browser import js_errors, open_map, texts_of, toggle_layer, wait_until

from zoning.map.coverage import coverage_map
from zoning.map.posts.page import posts_map
from zoning.map.posts.read import read_posts
from zoning.map.render import save_map


def payload(tag: str) -> str:
    """An HTML payload naming its column; it counts in window.__pwned if it ever runs."""
    return (
        f'<img src=x data-from="{tag}" '
        f"onerror=\"window.__pwned=(window.__pwned||[]).concat('{tag}')\">"
        f"<b>{tag}</b>"
    )


SCRIPT = "<script>window.__pwned=['script']</script>"
SVG = "\"'><svg onload=\"window.__pwned=['svg']\">"
TEXT_COLUMNS = ("id", "programme", "statut", "motifs", "site_principal_nom", "site_nom")
NUMBER_COLUMNS = ("distance_km", "prime", "financement")


def write_hostile_posts(path: Path) -> None:
    """HAND-WRITTEN hostile fixture: real hospital (CH de Guéret, FINESS coordinates) and
    real commune points (Aubusson, Bourganeuf); every cell of the text columns, then of
    the number columns, is a payload."""
    header = [
        "id", "programme", "statut", "motifs", "site_principal_nom", "site_principal_lon",
        "site_principal_lat", "site_nom", "site_lon", "site_lat", "distance_km", "prime",
        "financement",
    ]  # fmt: skip
    rows = [
        [
            payload("id") + SCRIPT, payload("programme") + SVG, payload("statut"),
            payload("motifs") + SCRIPT, payload("site_principal_nom"), "1.87113", "46.16497",
            payload("site_nom") + SVG, "2.16889", "45.95778", payload("distance_km"),
            payload("prime"), payload("financement"),
        ],
        [
            "P2", payload("programme2"), "éligible", "", "CH", "1.87113", "46.16497",
            payload("site2"), "1.75", "45.95", "12.5", "450", "3000",
        ],
        [
            "P3", "na-mg-2023", "éligible", "", "CH", payload("lon"), payload("lat"),
            "site", payload("site_lon"), payload("site_lat"), "", "", "",
        ],
    ]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def reveal_everything(driver: Any) -> None:
    """Open every popup and tooltip Leaflet can show, one after the other."""
    driver.execute_script(
        """
        var map = window.zoning.map;
        map.eachLayer(function (layer) {
            try {
                if (layer.getPopup && layer.getPopup()) { layer.openPopup(); }
                if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
            } catch (e) {}
        });
        """
    )
    # Two animation frames: what was opened is laid out before anything reads it.
    driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "requestAnimationFrame(function () { requestAnimationFrame(done); });"
    )


def assert_nothing_ran(driver: Any) -> None:
    """No payload ran, and no element was created from data."""
    assert driver.execute_script("return window.__pwned;") is None
    created = driver.execute_script(
        "return document.querySelectorAll('img[data-from], img[src=\"x\"], svg[onload]').length"
        " + Array.from(document.scripts).filter(function (s) {"
        " return s.textContent.indexOf(\"__pwned=['script']\") >= 0; }).length;"
    )
    assert created == 0
    assert js_errors(driver) == []


def test_posts_map_payloads_in_every_column(
    browser: Any, coverage_data: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    source = tmp_path / "hostile.csv"
    write_hostile_posts(source)
    table = read_posts(source)
    assert len(table.rows) == 3  # every row read, the one without coordinates included
    page = save_map(posts_map(table, coverage_data), tmp_path / "postes.html")
    open_map(browser, page)
    reveal_everything(browser)
    # Hospitals' popups list their posts: open them too, and every layer-control entry.
    browser.execute_script(
        "window.zoningPosts.hospitals.getLayers().forEach(function (m) { m.openPopup(); });"
    )
    labels = texts_of(browser, ".leaflet-control-layers label")
    for label in labels:  # untick and tick again every filter (redraws every post)
        if "Programme" in label or "Statut" in label:
            toggle_layer(browser, label)
            toggle_layer(browser, label)
    reveal_everything(browser)
    assert_nothing_ran(browser)

    control = wait_until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-control-layers").text,
        what="the layer control",
    )
    assert "Programme : " + payload("programme") + SVG in control  # shown literally
    browser.execute_script("window.zoningPosts.lines.getLayers()[0].openPopup();")
    popups = " ".join(texts_of(browser, ".leaflet-popup-content"))
    legend = " ".join(texts_of(browser, ".zoning-legend"))
    shown = popups + legend + control
    for column in ("id", "programme", "statut", "motifs", "site_principal_nom", "site_nom"):
        assert payload(column) in shown, column
    titles = browser.execute_script(
        "return window.zoningPosts.sites.getLayers().map(function (m) { return m.options.title; });"
    )
    assert payload("site_nom") + SVG in titles  # a marker title is an attribute, text


def test_coverage_map_payloads_in_names(browser: Any, coverage_data: Any, tmp_path: Path) -> None:
    """A store copy's commune, QPV and département names replaced by payloads (real
    geometry and classes of Nouvelle-Aquitaine)."""
    from selenium.webdriver.common.by import By

    communes = coverage_data.communes.copy()
    communes["name"] = [payload(f"commune{i}") for i in range(len(communes))]
    communes["qpv"] = communes["qpv"].where(communes["qpv"] == "", payload("qpv") + SCRIPT)
    qpv = coverage_data.qpv_polygons.copy()
    for column in ("name_qp", "commune_name"):
        if column in qpv.columns:
            qpv[column] = payload(column)
    hostile = dataclasses.replace(
        coverage_data,
        communes=communes,
        qpv_polygons=qpv,
        departement_names={k: payload("dep") for k in coverage_data.departement_names},
    )
    page = save_map(coverage_map(hostile), tmp_path / "couverture.html")
    open_map(browser, page)
    # The tooltip is bound on the GeoJSON group: hover a commune as Leaflet sees it.
    browser.execute_script(
        "var group = window.zoning.layers.communes, child = group.getLayers()[0];"
        "group.fire('mouseover', {layer: child, latlng: child.getCenter()});"
    )
    tooltip = " ".join(texts_of(browser, ".leaflet-tooltip"))
    assert "commune" in tooltip and "<img src=x" in tooltip  # literal text
    # The search box lists matching names: its tips are text too.
    box = wait_until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-control-search input"),
        what="the search box",
    )
    box.send_keys("<img")
    wait_until(
        browser,
        lambda d: any("<img src=x" in t for t in texts_of(d, ".search-tooltip li, .search-tip")),
        what="the search tips",
    )
    reveal_everything(browser)
    assert_nothing_ran(browser)


def test_departement_table_sidecar_escapes_names(
    browser: Any, coverage_data: Any, tmp_path: Path
) -> None:
    from zoning.map.figures import write_figures

    hostile = dataclasses.replace(
        coverage_data,
        departement_names={k: payload("dep") for k in coverage_data.departement_names},
    )
    paths = write_figures(hostile, tmp_path / "carte")
    page = next(p for p in paths if p.suffix == ".html")
    text = page.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "&lt;img src=x" in text
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return window.__pwned;") is None
    assert payload("dep") in " ".join(texts_of(browser, "table"))


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
