"""The coverage map: every commune of a region coloured by its zoning class.

Layers (each can be switched off in the layer control): communes by class with a
tooltip (commune, code, class, population, QPV), communes holding a QPV (outlined),
QPV perimeters when the store has them, département borders. A legend gives the
decree, its date, the counts per class and the provenance; a search box finds a commune
by name.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import folium
import numpy as np
import pandas as pd

from zoning.io.french import format_number
from zoning.map.data import CoverageData
from zoning.map.geometry import feature_collection
from zoning.map.render import Legend, SafeGeoJsonTooltip, SafeSearchTips, TestHook, base_map
from zoning.map.style import (
    DEPARTEMENT_COLOR,
    QPV_COLOR,
    ZONE_COLORS,
    ZONE_LABELS,
    ZONE_ORDER,
    ZONE_SHORT,
    ZONE_SHORT_LEGEND,
)

__all__ = ["CompactGeoJson", "add_coverage_layers", "coverage_legend_html", "coverage_map"]

log = logging.getLogger(__name__)


class CompactGeoJson(folium.GeoJson):
    """A ``folium.GeoJson`` whose data is written without blanks (about 10 % lighter).

    folium writes the data with jinja's ``tojson`` filter, whose ``json.dumps`` options are
    an environment policy; it is changed only while this layer renders.
    """

    def render(self, **kwargs: Any) -> Any:
        policies = self._template.environment.policies
        saved = policies["json.dumps_kwargs"]
        policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":")}
        try:
            # branca's MacroElement.render carries no annotations.
            return super().render(**kwargs)  # type: ignore[no-untyped-call]
        finally:
            policies["json.dumps_kwargs"] = saved


def _fmt_int(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "inconnue"
    return format_number(int(value))


def _commune_style(feature: dict[str, Any], fill_opacity: float = 0.85) -> dict[str, Any]:
    zone = feature["properties"]["zone"]
    style: dict[str, Any] = {
        "fillColor": ZONE_COLORS.get(zone, ZONE_COLORS["ND"]),
        "fillOpacity": fill_opacity,
        "color": "#ffffff" if zone in ("ZIP", "ZAC") else "#8c8c8c",
        "weight": 0.4,
    }
    if zone == "ND":
        style["dashArray"] = "2 2"
    return style


def _highlight(_feature: dict[str, Any]) -> dict[str, Any]:
    return {"weight": 2.5, "color": "#000000"}


def class_table(data: CoverageData) -> pd.DataFrame:
    """Communes and population per class, with the population share in percent.

    Parameters
    ----------
    data : CoverageData

    Returns
    -------
    pandas.DataFrame
        Index: classes present (in :data:`ZONE_ORDER`); columns ``communes``,
        ``population``, ``share`` (percent of the region's population).
    """
    frame = data.communes
    table: pd.DataFrame = frame.groupby("zone").agg(
        communes=("code", "size"), population=("population", "sum")
    )
    table = table.reindex([z for z in ZONE_ORDER if z in table.index])
    total = table["population"].sum()
    table["share"] = 100 * table["population"] / total if total else 0.0
    return table


def coverage_legend_html(data: CoverageData) -> str:
    """Legend body: classes (communes, population share vs the decree's caps), provenance."""
    table = class_table(data)
    caps = getattr(data.decree, "caps", {}) or {}
    rows = []
    for zone, row in table.iterrows():
        cap = caps.get(str(zone))
        cap_txt = f" (plafond {cap:.1f} %)" if cap else ""
        dash = "border-style:dashed;" if zone == "ND" else ""
        rows.append(
            f'<div class="row"><span class="sw" '
            f'style="{dash}background:{ZONE_COLORS[str(zone)]}"></span>'
            f'<span title="{html.escape(ZONE_LABELS[str(zone)])}">'
            f"{html.escape(ZONE_SHORT_LEGEND[str(zone)])}</span>"
            f'<span class="num">{int(row["communes"])} comm. · {row["share"]:.1f} %'
            f"{cap_txt}</span></div>"
        )
    rows.append(
        f'<div class="row"><span class="sw" style="background:transparent;'
        f'border:2px solid {QPV_COLOR}"></span>commune comptant un QPV</div>'
    )
    rows.append(
        f'<div class="row"><span class="line" style="border-color:{DEPARTEMENT_COLOR}">'
        "</span>limite de département</div>"
    )
    heading = "Classes du zonage médecins"
    lines = data.provenance_lines()
    # Decree and tool version stay visible; the data vintages fold away.
    first = "<br>".join(html.escape(line) for line in (lines[:1] + lines[-1:]))
    rest = "<br>".join(html.escape(line) for line in lines[1:-1])
    note = "Part : % de la population de la région (INSEE)."
    return (
        f"<h4>{heading}</h4>{''.join(rows)}"
        f'<div class="prov">{first}<br>{html.escape(note)}'
        f"<details><summary>Sources et version</summary>{rest}</details></div>"
    )


def add_coverage_layers(
    fmap: folium.Map, data: CoverageData, show_search: bool = True, fill_opacity: float = 0.85
) -> dict[str, Any]:
    """Add communes, QPV and département layers to a map.

    Parameters
    ----------
    fmap : folium.Map
        The map to draw on.
    data : CoverageData
        What to draw.
    show_search : bool
        Add the search-by-name box.
    fill_opacity : float
        Opacity of the class colours (lower under other layers).

    Returns
    -------
    dict
        The folium layers by key (``communes``, ``qpv_communes``, ``qpv``,
        ``departements``), for a test hook or further plugins.
    """
    from folium.plugins import Search

    communes = data.communes.copy()
    # Short properties: they are repeated in every one of thousands of features.
    communes["classe"] = communes["zone"].map(ZONE_SHORT)
    communes["habitants"] = communes["population"].map(_fmt_int)
    communes["qpv_txt"] = communes["qpv"].where(communes["qpv"] != "", "—")
    props = ["code", "name", "zone", "classe", "habitants", "qpv_txt"]
    collection = feature_collection(communes, props, decimals=4)
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["code"]

    layers: dict[str, Any] = {}
    layers["communes"] = CompactGeoJson(
        collection,
        name="Communes par classe",
        style_function=lambda f: _commune_style(f, fill_opacity),
        highlight_function=_highlight,
        zoom_on_click=False,
        smooth_factor=0.5,
        tooltip=SafeGeoJsonTooltip(
            fields=["name", "code", "classe", "habitants", "qpv_txt"],
            aliases=["Commune", "Code INSEE", "Classe", "Population", "QPV"],
            sticky=True,
        ),
    ).add_to(fmap)

    with_qpv = communes[communes["qpv"] != ""]
    if not with_qpv.empty:
        layers["qpv_communes"] = CompactGeoJson(
            feature_collection(with_qpv, ["code", "name"], decimals=4),
            name="Communes comptant un QPV",
            style_function=lambda _f: {
                "fill": False,
                "color": QPV_COLOR,
                "weight": 2.2,
            },
            interactive=False,
        ).add_to(fmap)

    if not data.qpv_polygons.empty:
        qpv = data.qpv_polygons.copy()
        layers["qpv"] = CompactGeoJson(
            feature_collection(qpv, ["code_qp", "name_qp", "commune_name"], decimals=5),
            name="Périmètres QPV",
            style_function=lambda _f: {
                "fillColor": QPV_COLOR,
                "fillOpacity": 0.55,
                "color": QPV_COLOR,
                "weight": 1,
            },
            tooltip=SafeGeoJsonTooltip(
                fields=["name_qp", "code_qp", "commune_name"],
                aliases=["QPV", "Code", "Commune"],
            ),
        ).add_to(fmap)

    layers["departements"] = CompactGeoJson(
        feature_collection(data.departements, ["departement"], decimals=4),
        name="Départements",
        style_function=lambda _f: {"fill": False, "color": DEPARTEMENT_COLOR, "weight": 1.8},
        interactive=False,
    ).add_to(fmap)

    if show_search:
        # folium.plugins.Search.__init__ carries no annotations.
        Search(  # type: ignore[no-untyped-call]
            layer=layers["communes"],
            search_label="name",
            placeholder="Rechercher une commune…",
            collapsed=False,
            position="topright",
            search_zoom=11,
        ).add_to(fmap)
        SafeSearchTips(layers["communes"]).add_to(fmap)
    return layers


def coverage_map(data: CoverageData, tiles: bool = False) -> folium.Map:
    """The full coverage map of a region.

    Parameters
    ----------
    data : CoverageData
        From :func:`zoning.map.data.load_coverage`.
    tiles : bool
        Offer an OpenStreetMap background (needs the network; unticked by default).

    Returns
    -------
    folium.Map
        Save it with :func:`zoning.map.render.save_map` (self-contained HTML).
    """
    decree = data.decree
    title = "Zonage des médecins généralistes"
    if decree is not None:
        title += f" — {decree.short}"
    minx, miny, maxx, maxy = data.communes.total_bounds
    fmap = base_map((minx, miny, maxx, maxy), title, tiles=tiles)
    layers = add_coverage_layers(fmap, data)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    # Bottom right keeps the Atlantic coast of Nouvelle-Aquitaine clear on narrow screens.
    Legend(coverage_legend_html(data), position="bottomright").add_to(fmap)
    TestHook(
        "coverage",
        layers,
        counts={"communes": len(data.communes), "departements": len(data.departements)},
    ).add_to(fmap)
    return fmap
