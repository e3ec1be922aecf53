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
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from zoning.io.atomic import write_text
from zoning.map.assets import inline_assets

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
    Fullscreen(
        position="topleft", title="Plein écran", title_cancel="Quitter le plein écran"
    ).add_to(fmap)
    root = cast(Figure, fmap.get_root())
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"))
    root.header.add_child(Element(_PAGE_CSS))
    root.header.add_child(Element(ESCAPE_SCRIPT))
    root.html.add_child(Element(f'<div class="zoning-title">{html.escape(title)}</div>'))
    return fmap


#: The page's one HTML escaper for strings from data that scripts put in markup (layer
#: control names, tooltips, search tips): Leaflet and folium write those as innerHTML.
ESCAPE_SCRIPT = """<script>
function zoningEscape(value) {
    if (value === null || value === undefined) return "";
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
</script>"""


class SafeGeoJsonTooltip(folium.GeoJsonTooltip):
    """``folium.GeoJsonTooltip`` whose labels and values are escaped (folium writes
    feature properties into the tooltip as raw HTML: a commune name would run)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var fields = {{ this.fields | tojson }};
            var aliases = {{ this.aliases | tojson }};
            var div = L.DomUtil.create("div");
            div.innerHTML = "<table>" + fields.map(function (field, i) {
                return "<tr><th>" + zoningEscape(aliases[i]) + "</th><td>" +
                    zoningEscape(layer.feature.properties[field]) + "</td></tr>";
            }).join("") + "</table>";
            return div;
        }, {{ this.tooltip_options | tojavascript }});
        {% endmacro %}
        """
    )


class SafeSearchTips(MacroElement):
    """Make a ``folium.plugins.Search`` on ``layer`` write its tips as text (leaflet-search
    writes each matching name as innerHTML). Add it after the Search control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.layer.get_name() }}searchControl.options.buildTip = function (text) {
            var li = L.DomUtil.create("li", "");
            li.textContent = text;
            return li;
        };
        {% endmacro %}
        """
    )

    def __init__(self, layer: Any) -> None:
        super().__init__()
        self._name = "SafeSearchTips"
        self.layer = layer


_PAGE_CSS = """<style>
.leaflet-container { background: #dfe6ea; font: 13px/1.35 "Helvetica Neue", Arial, sans-serif; }
.zoning-title { position: absolute; z-index: 1000; top: 10px; left: 50%;
  transform: translateX(-50%); background: rgba(255,255,255,.92); padding: 4px 12px;
  border-radius: 4px; font: bold 15px Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  pointer-events: none; max-width: 60%; text-align: center; }
.leaflet-control-layers, .leaflet-control-search { font-size: 12px; }
.zoning-legend { background: rgba(255,255,255,.95); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 330px; font-size: 12px; }
.zoning-legend summary { cursor: pointer; }
.zoning-legend h4 { margin: 0 0 6px; font-size: 13px; }
.zoning-legend .row { display: flex; align-items: center; margin: 2px 0; }
.zoning-legend .sw { width: 16px; height: 12px; margin-right: 6px; border: 1px solid #555;
  flex: none; }
.zoning-legend .line { width: 18px; height: 0; margin-right: 6px; border-top: 3px solid;
  flex: none; }
.zoning-legend .prov { margin-top: 6px; color: #444; font-size: 11px; }
.zoning-legend .num { margin-left: auto; padding-left: 8px; color: #333; white-space: nowrap; }
</style>"""


class Legend(MacroElement):
    """A Leaflet control holding ready-made legend HTML (``bottomleft``, ``bottomright``...)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position | tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "zoning-legend");
                div.innerHTML = {{ this.body | tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position


class TestHook(MacroElement):
    """Expose the map and its named layers as ``window.zoning`` (for tests and scripting).

    Added last, so that every layer it names exists when its script runs.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.zoning = {
            kind: {{ this.kind | tojson }},
            map: {{ this._parent.get_name() }},
            counts: {{ this.counts | tojson }},
            layers: {
            {%- for key, layer in this.layers.items() %}
                {{ key | tojson }}: {{ layer.get_name() }},
            {%- endfor %}
            }
        };
        {% endmacro %}
        """
    )

    def __init__(
        self, kind: str, layers: Mapping[str, Any], counts: Mapping[str, int] | None = None
    ) -> None:
        super().__init__()
        self._name = "TestHook"
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
