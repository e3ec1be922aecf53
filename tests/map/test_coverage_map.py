"""The coverage map of Nouvelle-Aquitaine, opened in real headless Chromium, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from map_browser import external_requests, js_errors, open_map, texts_of, wait_until

from zoning.map.assets import external_urls
from zoning.map.geometry import check_coverage
from zoning.map.style import ZONE_COLORS

MAX_HTML_BYTES = 5_000_000


def _expected_classes(store: Any) -> dict[str, str]:
    """Class of every commune of the region, straight from the store (not from zoning.map)."""
    decree = store.decree_for("75", None)
    codes = store.communes_gdf("75")["code"].astype(str)
    zones = store.zones(decree.id).set_index("code")["zone"].astype(str).str.strip()
    return {c: (zones.get(c) or "ND") or "ND" for c in codes}


def test_page_is_self_contained_and_small(coverage_html: Path, store: Any) -> None:
    page = coverage_html.read_text(encoding="utf-8")
    assert external_urls(page) == []
    assert coverage_html.stat().st_size < MAX_HTML_BYTES
    decree = store.decree_for("75", None)
    assert decree.short in page
    assert "zoning 0." in page  # tool version in the legend


def test_simplified_communes_still_tile_the_region(store: Any, coverage_data: Any) -> None:
    source = store.communes_gdf("75")
    check = check_coverage(source, coverage_data.communes)
    assert check.ok, check
    assert len(coverage_data.departements) == 12


def test_every_commune_drawn_with_its_class(
    coverage_html: Path, store: Any, browser: Any, tmp_path: Path
) -> None:
    render_s = open_map(browser, coverage_html)
    assert js_errors(browser) == []
    assert external_requests(browser) == []
    drawn: dict[str, str] = browser.execute_script(
        """
        var out = {};
        window.zoning.layers.communes.eachLayer(function (l) {
            if (l._path && document.body.contains(l._path)) {
                out[l.feature.properties.code] = l._path.getAttribute('fill');
            }
        });
        return out;
        """
    )
    dom_paths = browser.execute_script(
        "return document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length;"
    )
    expected = _expected_classes(store)
    assert len(expected) == 4309  # COG 2022 communes of Nouvelle-Aquitaine
    assert set(drawn) == set(expected)
    assert dom_paths == len(expected)  # NA has no QPV perimeter in the sources
    wrong = {c: (drawn[c], expected[c]) for c in expected if drawn[c] != ZONE_COLORS[expected[c]]}
    assert wrong == {}
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
        ".map(function (l) { return l.textContent.trim(); });"
    )
    assert {"Communes par classe", "Communes comptant un QPV", "Départements"} <= set(labels)
    browser.save_screenshot(str(tmp_path / "coverage.png"))
    print(f"coverage map: {len(drawn)} communes drawn, first render {render_s:.2f} s")


def test_hover_and_click_a_commune(
    coverage_html: Path, coverage_data: Any, store: Any, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    open_map(browser, coverage_html)
    communes = coverage_data.communes.set_index("code")
    point = communes.loc["23096", "geometry"].representative_point()
    x, y = browser.execute_script(
        "var m = window.zoning.map; m.setView([arguments[1], arguments[0]], 12, {animate: false});"
        "var p = m.latLngToContainerPoint([arguments[1], arguments[0]]); return [p.x, p.y];",
        point.x,
        point.y,
    )
    container = browser.find_element(By.CSS_SELECTOR, ".folium-map")
    size = container.size
    ActionChains(browser).move_to_element_with_offset(
        container, int(x - size["width"] / 2), int(y - size["height"] / 2)
    ).click().perform()

    def tooltip(d: Any) -> str:
        text = " ".join(texts_of(d, ".leaflet-tooltip"))
        return text if "23096" in text else ""

    text = wait_until(
        browser,
        tooltip,
        what="the tooltip of 23096",
    )
    population = int(store.communes_gdf("75").set_index("code").loc["23096", "population"])
    assert "Guéret" in text
    assert "23096" in text
    assert "ZIP" in text
    assert f"{population:,}".replace(",", "\u202f") in text
    assert js_errors(browser) == []
    browser.save_screenshot(str(tmp_path / "hover.png"))


def test_search_box_finds_a_commune(coverage_html: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    open_map(browser, coverage_html)
    box = wait_until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-control-search input"),
        what="the search box",
    )
    box.send_keys("Guéret")
    wait_until(browser, lambda d: "Guéret" in texts_of(d, ".search-tip"), what="the tip")
    before = browser.execute_script("return window.zoning.map.getZoom();")

    def click_tip(d: Any) -> bool:  # found afresh: the list is redrawn as it filters
        tip = next(
            (t for t in d.find_elements(By.CSS_SELECTOR, ".search-tip") if t.text == "Guéret"), None
        )
        if tip is not None:
            tip.click()
        return tip is not None

    wait_until(browser, click_tip, what="the tip « Guéret »")
    wait_until(
        browser,
        lambda d: d.execute_script("return window.zoning.map.getZoom();") > before,
        what="the map zooming in",
    )
    assert js_errors(browser) == []


def test_qpv_perimeters_are_drawn(store: Any, browser: Any, maps_dir: Path) -> None:
    """Occitanie (76): the only region whose QPV perimeters are in the sources."""
    from zoning.map.coverage import coverage_map
    from zoning.map.data import load_coverage
    from zoning.map.render import save_map

    data = load_coverage(store, "76")
    assert len(data.qpv_polygons) > 50
    path = save_map(coverage_map(data), maps_dir / "occitanie.html")
    open_map(browser, path)
    counts = browser.execute_script(
        "var z = window.zoning.layers;"
        "return [z.qpv.getLayers().length, z.communes.getLayers().length];"
    )
    assert counts == [len(data.qpv_polygons), len(store.communes_gdf("76"))]
    assert js_errors(browser) == []
