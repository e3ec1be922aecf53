"""A batch's posts for a GIS: the sites (points) and the hospital → site lines.

Read by the posts map's reader (:func:`zoning.map.posts.read.read_posts`: a batch
result by :mod:`zoning.report.schema`'s names, or a posts file made by hand); the
distances and verdicts are the file's own, never recomputed.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from zoning.io.gpkg import Layer
from zoning.map.export.layers import CRS
from zoning.map.export.styles import links_style, sites_style
from zoning.map.posts.read import PostsTable
from zoning.map.style import STATUS_STYLE

__all__ = ["links_layer", "sites_layer"]

HOSPITAL = "établissement"
SITE = "site ambulatoire"


def _number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _post_fields(rows: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "poste": rows["post_id"].astype(str),
        "programme": rows["programme"].astype(str),
        "statut": rows["status"].astype(str),
        "statut_cle": rows["status_key"].astype(str),
        "libelle_statut": rows["status_key"].map(lambda k: STATUS_STYLE[k][1]),
        "ligne": rows["line"].astype("Int64"),
    }


def sites_layer(table: PostsTable) -> Layer:
    """One point per ambulatory site of a post, and one per post's hospital (``role``)."""
    rows = table.drawable.reset_index(drop=True)
    sites = pd.DataFrame(
        {
            **_post_fields(rows),
            "role": SITE,
            "nom": rows["site_name"].astype(str),
            "commune": rows["site_commune"].fillna("").astype(str),
            "classe": rows["site_zone"].fillna("").astype(str),
            "distance_km": _number(rows["distance_km"]),
        }
    )
    site_points = shapely.points(_number(rows["site_lon"]), _number(rows["site_lat"]))
    first = rows.drop_duplicates("post_id").reset_index(drop=True)
    hospitals = pd.DataFrame(
        {
            **_post_fields(first),
            "role": HOSPITAL,
            "nom": first["main_name"].astype(str),
            "commune": "",
            "classe": "",
            "distance_km": float("nan"),
        }
    )
    main_points = shapely.points(_number(first["main_lon"]), _number(first["main_lat"]))
    frame = gpd.GeoDataFrame(
        pd.concat([hospitals, sites], ignore_index=True),
        geometry=[*main_points, *site_points],
        crs=CRS,
    )
    description = (
        f"Postes de {table.source} : l'établissement (role « {HOSPITAL} ») et chaque site "
        f"ambulatoire (« {SITE} ») de chaque poste dont les deux bouts sont placés "
        f"({rows['post_id'].nunique()} postes, {len(rows)} sites), avec le statut du poste. "
        + " ".join(table.notes)
    )
    return Layer("sites", frame, "Postes — sites", description.strip(), sites_style())


def links_layer(table: PostsTable) -> Layer:
    """One line per (post, ambulatory site), from the hospital to the site."""
    rows = table.drawable.reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {
            **_post_fields(rows),
            "etablissement": rows["main_name"].astype(str),
            "site": rows["site_name"].astype(str),
            "commune_site": rows["site_commune"].fillna("").astype(str),
            "classe_site": rows["site_zone"].fillna("").astype(str),
            "distance_km": _number(rows["distance_km"]),
            "distance_max_km": _number(rows["distance_max_km"]),
            "regle_distance": rows["distance_rule"].astype(str),
            "vol_oiseau_km": _number(rows["straight_km"]).round(3),
        },
        geometry=shapely.linestrings(
            [
                [(a, b), (c, d)]
                for a, b, c, d in zip(
                    _number(rows["main_lon"]),
                    _number(rows["main_lat"]),
                    _number(rows["site_lon"]),
                    _number(rows["site_lat"]),
                    strict=True,
                )
            ]
        )
        if len(rows)
        else [],
        crs=CRS,
    )
    description = (
        f"Liens établissement → site ambulatoire de {table.source} : statut du poste, distance "
        "du fichier (distance_km, distance_max_km pour un site connu par sa seule commune, "
        "verdict de la règle de distance) et ligne droite géodésique (vol_oiseau_km)."
    )
    return Layer("liens", frame, "Postes — liens", description, links_style())
