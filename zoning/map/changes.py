"""The changes map: the coverage map of the newer decree with a layer of the communes
whose class changed (« entrée en ZIP », « sortie de zonage »...), outlined by kind of
change, with a tooltip giving the class before and after.
"""

from __future__ import annotations

import html
from typing import Any

import folium

from zoning.map.coverage import CompactGeoJson, _fmt_int, add_coverage_layers, coverage_legend_html
from zoning.map.data import CoverageData
from zoning.map.geometry import feature_collection
from zoning.map.render import Legend, TestHook, base_map
from zoning.map.style import kind_color
from zoning.store.decree_compare import Comparison

__all__ = ["changes_map", "kind_color"]


def _legend(data: CoverageData, comparison: Comparison) -> str:
    counts = comparison.changes.groupby("changement").agg(
        communes=("code_insee", "size"), population=("population", "sum")
    )
    rows = [
        f'<div class="row"><span class="sw" style="background:transparent;border:3px solid '
        f'{kind_color(str(kind))}"></span>{html.escape(str(kind))}'
        f'<span class="num">{int(r["communes"])} comm. · {_fmt_int(r["population"])} hab.'
        "</span></div>"
        for kind, r in counts.iterrows()
    ]
    heading = (
        f"Changements : {html.escape(comparison.before.short)} → "
        f"{html.escape(comparison.after.short)}"
    )
    return f"<h4>{heading}</h4>{''.join(rows)}<hr>{coverage_legend_html(data)}"


def changes_map(data: CoverageData, comparison: Comparison, tiles: bool = False) -> folium.Map:
    """The coverage map of ``comparison.after`` plus a layer of the changed communes.

    Parameters
    ----------
    data : CoverageData
        Coverage of the newer decree (``load_coverage(..., decree_id=after.id)``).
    comparison : Comparison
        From :func:`zoning.store.decree_compare.compare_decrees`.
    tiles : bool
        Offer an OpenStreetMap background (needs the network).

    Returns
    -------
    folium.Map
    """
    title = f"Zonage médecins : {comparison.before.short} → {comparison.after.short}"
    minx, miny, maxx, maxy = data.communes.total_bounds
    fmap = base_map((minx, miny, maxx, maxy), title, tiles=tiles)
    layers: dict[str, Any] = add_coverage_layers(fmap, data, fill_opacity=0.6)
    changes = comparison.changes.set_index("code_insee")
    changed = data.communes.loc[data.communes["code"].isin(changes.index)].copy()
    changed["changement"] = changed["code"].map(changes["changement"])
    changed["avant"] = changed["code"].map(changes["classe_avant"])
    changed["apres"] = changed["code"].map(changes["classe_apres"])
    changed["habitants"] = changed["population"].map(_fmt_int)
    props = ["code", "name", "changement", "avant", "apres", "habitants"]
    # No change (a decree compared with itself, or two identical annexes): an empty layer,
    # without the tooltip folium refuses on a layer with no feature; the legend says 0.
    tooltip = folium.GeoJsonTooltip(
        fields=["name", "code", "changement", "avant", "apres", "habitants"],
        aliases=["Commune", "Code INSEE", "Changement", "Avant", "Après", "Population"],
        sticky=True,
    )
    layers["changes"] = CompactGeoJson(
        feature_collection(changed, props, decimals=4),
        name="Changements de classe" if len(changed) else "Changements de classe (aucun)",
        style_function=lambda f: {
            "fill": False,
            "color": kind_color(f["properties"]["changement"]),
            "weight": 2.6,
        },
        tooltip=tooltip if len(changed) else None,
    ).add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    Legend(_legend(data, comparison), position="bottomright").add_to(fmap)
    TestHook(
        "changes",
        layers,
        counts={"communes": len(data.communes), "changes": len(changed)},
    ).add_to(fmap)
    return fmap
