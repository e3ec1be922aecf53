"""Figures for planners, per département: classes, population shares, posts.

Written beside a map: a CSV (opens in Excel), a PNG chart and an HTML page holding both.
Population shares are compared with the decree's caps, which are set on the region's
population (the "Région" row is the one the caps apply to).
"""

from __future__ import annotations

import base64
import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from zoning.io.atomic import atomic_path, write_text
from zoning.io.write import write_frame_csv
from zoning.map.data import CoverageData
from zoning.map.style import STATUS_STYLE, ZONE_COLORS, ZONE_ORDER, ZONE_SHORT

if TYPE_CHECKING:
    from zoning.map.posts.read import PostsTable

__all__ = ["departement_table", "posts_by_zone", "site_zones", "write_figures"]

log = logging.getLogger(__name__)

REGION_ROW = "Région"


def site_zones(table: PostsTable, coverage: CoverageData, store: Any = None) -> pd.DataFrame:
    """Commune, département and class of each drawable ambulatory site.

    The class given in the results (``site_zone``) wins. Otherwise the site is placed
    with the store's exact lookup when a store is given, else in the display polygons
    (simplified: a site within ~150 m of a commune border may be misplaced).

    Returns
    -------
    pandas.DataFrame
        The drawable rows of ``table`` plus ``commune``, ``departement``, ``zone``.
    """
    rows = table.drawable.copy()
    communes = coverage.communes.set_index("code")
    if rows.empty:
        return rows.assign(commune=pd.Series(dtype=str), departement="", zone="")
    codes: pd.Series
    if store is not None:
        import numpy as np

        from zoning.locate import lookup

        placed = lookup.assign_points(
            store, np.asarray(rows["site_lon"], float), np.asarray(rows["site_lat"], float)
        )
        codes = pd.Series(list(placed["commune"]), index=rows.index)
    else:
        points = gpd.GeoDataFrame(
            rows[[]], geometry=gpd.points_from_xy(rows["site_lon"], rows["site_lat"]), crs=4326
        )
        joined = gpd.sjoin(
            points, coverage.communes[["code", "geometry"]], how="left", predicate="intersects"
        )
        codes = joined.groupby(level=0)["code"].min().reindex(rows.index)
    rows["commune"] = codes
    rows["departement"] = rows["commune"].map(communes["departement"]).fillna("hors région")
    found = rows["commune"].map(communes["zone"])
    given = rows["site_zone"].fillna("").astype(str).str.strip().str.upper()
    rows["zone"] = given.where(given.isin(ZONE_ORDER), found).fillna("hors région")
    return rows


def departement_table(coverage: CoverageData) -> pd.DataFrame:
    """Communes and population per class and département, with shares and the region row.

    Returns
    -------
    pandas.DataFrame
        Index: département codes then ``"Région"``; columns ``communes <class>``,
        ``population <class>``, ``part <class> (%)`` for each class present, and
        ``communes``, ``population`` totals.
    """
    frame = coverage.communes
    zones = [z for z in ZONE_ORDER if z in set(frame["zone"])]
    counts = pd.crosstab(frame["departement"], frame["zone"]).reindex(columns=zones, fill_value=0)
    pops = frame.pivot_table(
        index="departement", columns="zone", values="population", aggfunc="sum", fill_value=0
    ).reindex(columns=zones, fill_value=0)
    counts.loc[REGION_ROW] = counts.sum()
    pops.loc[REGION_ROW] = pops.sum()
    out = pd.DataFrame(index=counts.index)
    total_pop = pops.sum(axis=1)
    for zone in zones:
        out[f"communes {zone}"] = counts[zone].astype(int)
        out[f"population {zone}"] = pops[zone].astype("int64")
        out[f"part {zone} (%)"] = (100 * pops[zone] / total_pop.where(total_pop > 0)).round(2)
    out["communes"] = counts.sum(axis=1).astype(int)
    out["population"] = total_pop.astype("int64")
    out.index.name = "département"
    return out


def posts_by_zone(sites: pd.DataFrame) -> pd.DataFrame:
    """Posts per class of their ambulatory site and status (a post counted once per class).

    Returns
    -------
    pandas.DataFrame
        Index: classes; columns: French status labels; values: number of posts.
    """
    if sites.empty:
        return pd.DataFrame()
    unique = sites.drop_duplicates(["post_id", "zone"])
    table = pd.crosstab(unique["zone"], unique["status_key"])
    table = table.rename(columns={k: v[1] for k, v in STATUS_STYLE.items()})
    order = [z for z in (*ZONE_ORDER, "hors région") if z in table.index]
    return table.reindex(order)


def _chart(
    coverage: CoverageData, table: pd.DataFrame, sites: pd.DataFrame | None, path: Path
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    zones = [z for z in ZONE_ORDER if f"part {z} (%)" in table]
    with_posts = sites is not None and not sites.empty
    fig, axes = plt.subplots(
        1, 2 if with_posts else 1, figsize=(12 if with_posts else 8, 6.5), squeeze=False
    )
    ax = axes[0][0]
    labels = [f"{d} {coverage.departement_names.get(str(d), '')}".strip() for d in table.index]
    left = pd.Series(0.0, index=table.index)
    for zone in zones:
        share = table[f"part {zone} (%)"].fillna(0)
        ax.barh(
            labels,
            share,
            left=left,
            color=ZONE_COLORS[zone],
            edgecolor="#555",
            linewidth=0.4,
            label=ZONE_SHORT[zone],
        )
        left += share
    caps = getattr(coverage.decree, "caps", {}) or {}
    if "ZIP" in caps:
        ax.axvline(
            caps["ZIP"], color="#67001f", ls="--", lw=1, label=f"plafond ZIP {caps['ZIP']:.1f} %"
        )
    if "ZIP" in caps and "ZAC" in caps:
        both = caps["ZIP"] + caps["ZAC"]
        ax.axvline(both, color="#b35806", ls=":", lw=1.2, label=f"plafond ZIP + ZAC {both:.1f} %")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("part de la population (%)")
    ax.set_title("Population par classe et département")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)
    if with_posts and sites is not None:
        ax2 = axes[0][1]
        counts = pd.crosstab(
            sites.drop_duplicates(["post_id", "departement"])["departement"],
            sites.drop_duplicates(["post_id", "departement"])["status_key"],
        )
        bottom = pd.Series(0, index=counts.index)
        for key, (color, label) in STATUS_STYLE.items():
            if key in counts:
                ax2.bar(
                    counts.index.astype(str), counts[key], bottom=bottom, color=color, label=label
                )
                bottom += counts[key]
        ax2.set_title("Postes par département du site ambulatoire et statut")
        ax2.set_ylabel("postes")
        ax2.yaxis.get_major_locator().set_params(integer=True)
        ax2.legend(fontsize=7)
    decree = coverage.decree.short if coverage.decree is not None else ""
    fig.suptitle(f"Zonage médecins — {decree}", fontsize=11)
    fig.text(0.01, 0.01, " · ".join(coverage.provenance_lines()[-1:]), fontsize=7, color="#555")
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path


def write_figures(
    coverage: CoverageData,
    stem: str | Path,
    posts: PostsTable | None = None,
    store: Any = None,
) -> list[Path]:
    """Write the per-département table (CSV), chart (PNG) and a page with both (HTML).

    Parameters
    ----------
    coverage : CoverageData
        Communes and classes.
    stem : str or Path
        Output path without suffix; files are ``<stem>-departements.{csv,png,html}``.
    posts : PostsTable, optional
        Batch result: adds posts per class and status.
    store : ZoningStore, optional
        Used to place sites exactly (see :func:`site_zones`).

    Returns
    -------
    list of Path
        The files written.
    """
    base = Path(f"{stem}-departements")
    table = departement_table(coverage)
    sites = site_zones(posts, coverage, store) if posts is not None else None
    csv_path = base.with_suffix(".csv")
    named = table.copy()
    named.insert(0, "nom", [coverage.departement_names.get(str(d), "") for d in table.index])
    write_frame_csv(named, csv_path, index=True, decimal=",")
    png_path = _chart(coverage, table, sites, base.with_suffix(".png"))
    by_zone = posts_by_zone(sites) if sites is not None else pd.DataFrame()
    caps = getattr(coverage.decree, "caps", {}) or {}
    cap_txt = ", ".join(f"{k} {v:.1f} %" for k, v in caps.items()) or "aucun"
    image = base64.b64encode(png_path.read_bytes()).decode("ascii")
    prov = "<br>".join(html.escape(line) for line in coverage.provenance_lines())
    page = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Zonage par département</title>
<style>body{{font:14px Arial,sans-serif;margin:20px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:3px 6px;text-align:right}}th{{background:#eee}}
tr:last-child td{{font-weight:bold}}.prov{{color:#555;font-size:12px}}</style></head><body>
<h1>Zonage médecins par département</h1>
<p>Plafonds de l'arrêté (part de la population régionale) : {html.escape(cap_txt)}.</p>
<img alt="Population par classe et département" src="data:image/png;base64,{image}"
 style="max-width:100%">
<h2>Communes et population par classe</h2>
{named.to_html(float_format=lambda x: f"{x:.2f}", na_rep="—")}
{
        "<h2>Postes par classe du site ambulatoire et statut</h2>" + by_zone.to_html()
        if not by_zone.empty
        else ""
    }
<p class="prov">{prov}</p></body></html>"""
    html_path = base.with_suffix(".html")
    write_text(html_path, page)
    log.info("wrote %s, %s, %s", csv_path, png_path, html_path)
    return [html_path, png_path, csv_path]
