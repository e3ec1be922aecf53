"""Pieces every map shares: an offline base map, a legend box, a test hook, and saving.

Maps are folium maps whose page carries no CDN link once saved (see
:mod:`zoning.map.assets`) and no background tiles unless asked for: tiles need the
network, and the classes must read well on a blank background.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import folium
from branca.element import Element, Figure

from zoning.io.atomic import write_text
from zoning.map.assets import inline_assets
from zoning.map.element import MapElement, static_element, template

__all__ = [
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "Legend",
    "TestHook",
    "base_map",
    "save_map",
    "to_html",
]

log = logging.getLogger(__name__)

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"

OSM_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"


def base_map(
    bounds: tuple[float, float, float, float], title: str, tiles: bool = False
) -> folium.Map:
    """An empty map fitted to ``bounds`` with scale, full-screen and a title.

    Only Leaflet itself is loaded (no jQuery, Bootstrap or Font Awesome, which folium
    loads by default and these maps do not use): a lighter page.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` in lon/lat.
    title : str
        Shown in a box at the top of the map and as the page title.
    tiles : bool
        Add an OpenStreetMap background layer (needs the network; off in the layer
        control until ticked).

    Returns
    -------
    folium.Map
    """
    from folium.plugins import Fullscreen

    minx, miny, maxx, maxy = bounds
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
    )
    # Without tiles Leaflet has no zoom range, which marker clusters need.
    fmap.options["min_zoom"] = 5
    fmap.options["max_zoom"] = 18
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    if tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name="Fond OpenStreetMap (réseau requis)",
            attr=OSM_ATTRIBUTION,
            overlay=True,
            show=False,
        ).add_to(fmap)
    # folium.plugins.Fullscreen.__init__ carries no annotations.
    Fullscreen(  # type: ignore[no-untyped-call]
        position="topleft", title="Plein écran", title_cancel="Quitter le plein écran"
    ).add_to(fmap)
    root = cast(Figure, fmap.get_root())
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"))
    root.header.add_child(static_element("page.css"))
    # The page's one HTML escaper for strings from data that scripts put in markup (layer
    # control names, tooltips, search tips): Leaflet and folium write those as innerHTML.
    root.header.add_child(static_element("escape.js"))
    root.html.add_child(Element(f'<div class="zoning-title">{html.escape(title)}</div>'))
    return fmap


class SafeGeoJsonTooltip(folium.GeoJsonTooltip):
    """``folium.GeoJsonTooltip`` whose labels and values are escaped (folium writes
    feature properties into the tooltip as raw HTML: a commune name would run)."""

    _template = template("safe_tooltip.j2")


class SafeSearchTips(MapElement):
    """Make a ``folium.plugins.Search`` on ``layer`` write its tips as text (leaflet-search
    writes each matching name as innerHTML). Add it after the Search control."""

    _template = template("safe_search_tips.j2")

    def __init__(self, layer: Any) -> None:
        super().__init__("SafeSearchTips")
        self.layer = layer


class Legend(MapElement):
    """A Leaflet control holding ready-made legend HTML (``bottomleft``, ``bottomright``...)."""

    _template = template("legend.j2")

    def __init__(self, body: str, position: str = "bottomleft") -> None:
        super().__init__("Legend")
        self.body = body
        self.position = position


class TestHook(MapElement):
    """Expose the map and its named layers as ``window.zoning`` (for tests and scripting).

    Added last, so that every layer it names exists when its script runs.
    """

    _template = template("test_hook.j2")

    def __init__(
        self, kind: str, layers: Mapping[str, Any], counts: Mapping[str, int] | None = None
    ) -> None:
        super().__init__("TestHook")
        self.kind = kind
        self.layers = dict(layers)
        self.counts = dict(counts or {})


def to_html(fmap: folium.Map) -> str:
    """The map as one self-contained HTML page (assets inlined, no network needed)."""
    return inline_assets(fmap.get_root().render())


def save_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write the map as a self-contained HTML file.

    Parameters
    ----------
    fmap : folium.Map
        The map.
    path : str or Path
        Output file (its folder must exist).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputError
        The folder is missing or read-only, the disk is full... (nothing is left
        under the final name: the page is written to a temporary file first).
    """
    out = Path(path)
    page = to_html(fmap)
    write_text(out, page)
    log.info("wrote %s (%.2f MB)", out, len(page.encode("utf-8")) / 1e6)
    return out
