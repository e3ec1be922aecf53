"""The posts map page: the posts over the coverage map, with their legend."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from zoning.map.coverage import add_coverage_layers, coverage_legend_html
from zoning.map.data import CoverageData
from zoning.map.posts.layer import PostsLayer, posts_payload
from zoning.map.posts.read import PostsTable
from zoning.map.render import Legend, TestHook, base_map
from zoning.map.style import STATUS_STYLE

__all__ = ["posts_legend_html", "posts_map"]


def posts_legend_html(table: PostsTable, coverage: CoverageData | None) -> str:
    """Legend body: statuses with counts, icons, each programme's premium threshold, notes
    (rows not drawn, whose threshold is drawn) and provenance."""
    rows = table.rows
    per_post = rows.drop_duplicates("post_id")
    counts = per_post["status_key"].value_counts()
    items = []
    for key, (color, label) in STATUS_STYLE.items():
        if counts.get(key, 0):
            items.append(
                f'<div class="row"><span class="line" style="border-color:{color}"></span>'
                f'{html.escape(label)}<span class="num">{int(counts[key])} poste(s)</span></div>'
            )
    items.append(
        '<div class="row"><span class="sw" style="background:#1f3a93;border-radius:2px"></span>'
        "site principal (hôpital)</div>"
        '<div class="row"><span class="sw" style="background:#16a085;border-radius:50%"></span>'
        "site ambulatoire</div>"
        "<div class='row'>≈ : distance à vol d'oiseau (absente des résultats)</div>"
    )
    for programme, km in sorted(table.thresholds.items()):
        if km is not None and programme in set(per_post["programme"]):
            items.append(
                '<div class="row"><span class="line" style="border-top:2px dashed #1f3a93">'
                f"</span>{html.escape(f'{km:g}')} km autour du site principal (prime, "
                f"{html.escape(programme)})</div>"
            )
    notes = [html.escape(n) for n in table.notes]
    prov = [f"Résultats : {html.escape(Path(table.source).name)}"]
    if coverage is not None:
        prov += [html.escape(line) for line in coverage.provenance_lines()]
    return (
        f"<h4>Postes partagés ({len(per_post)})</h4>{''.join(items)}"
        + (f'<div class="prov">{"<br>".join(notes)}</div>' if notes else "")
        + f'<div class="prov"><details><summary>Sources et version</summary>'
        f"{'<br>'.join(prov)}</details></div>"
    )


def posts_map(
    table: PostsTable,
    coverage: CoverageData | None = None,
    tiles: bool = False,
    radius_km: float | None = None,
) -> folium.Map:
    """Map the posts of a batch result, over the coverage map when given.

    Parameters
    ----------
    table : PostsTable
        From :func:`read_posts`.
    coverage : CoverageData, optional
        Communes by class drawn underneath (and their legend's provenance).
    tiles : bool
        Offer an OpenStreetMap background (needs the network; unticked by default).
    radius_km : float, optional
        Radius of the circles around main sites; by default the distance threshold of
        each post's programme (no circle for a programme without premium).

    Returns
    -------
    folium.Map
    """
    drawable = table.drawable
    bounds: tuple[float, float, float, float]
    if coverage is not None:
        minx, miny, maxx, maxy = (float(v) for v in coverage.communes.total_bounds)
        bounds = (minx, miny, maxx, maxy)
    elif not drawable.empty:
        lons = pd.concat([drawable["main_lon"], drawable["site_lon"]])
        lats = pd.concat([drawable["main_lat"], drawable["site_lat"]])
        bounds = (lons.min() - 0.2, lats.min() - 0.2, lons.max() + 0.2, lats.max() + 0.2)
    else:
        bounds = (-5.0, 42.0, 8.0, 51.0)
    title = "Postes partagés"
    if coverage is not None and coverage.decree is not None:
        title += f" — zonage : {coverage.decree.short}"
    fmap = base_map(bounds, title, tiles=tiles)
    layers: dict[str, Any] = {}
    if coverage is not None:
        layers = add_coverage_layers(fmap, coverage, fill_opacity=0.55)
    control = folium.LayerControl(collapsed=False, position="topright")
    control.add_to(fmap)
    posts = posts_payload(table, radius_km)
    PostsLayer(posts, control).add_to(fmap)
    legend = posts_legend_html(table, coverage)
    if coverage is not None:
        legend += (
            "<details class='prov'><summary>Classes du zonage (fond de carte)</summary>"
            + coverage_legend_html(coverage)
            + "</details>"
        )
    Legend(legend).add_to(fmap)
    n_sites = sum(len(p["sites"]) for p in posts)
    n_main = len({(p["main"]["lat"], p["main"]["lon"]) for p in posts})
    TestHook(
        "posts",
        layers,
        counts={"posts": len(posts), "sites": n_sites, "hospitals": n_main},
    ).add_to(fmap)
    return fmap
