"""The zoning's layers for a GIS: communes and their class, changes, QPV, départements.

Each function turns what the maps draw (:class:`~zoning.map.data.CoverageData`, a
:class:`~zoning.store.decree_compare.Comparison`) into one
:class:`~zoning.io.gpkg.Layer`: plain field names (ASCII, no spaces, so that QGIS
expressions and Shapefiles take them), the features in EPSG:4326, a French title and
description, a style in the maps' colours.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from zoning.io.gpkg import Layer
from zoning.io.qgis_style import POINT, POLYGON
from zoning.map.data import CoverageData
from zoning.map.export.styles import (
    changes_style,
    communes_style,
    departements_style,
    qpv_style,
)
from zoning.map.figures import REGION_ROW, departement_table
from zoning.map.style import ZONE_LABELS, ZONE_ORDER
from zoning.store.decree_compare import Comparison

__all__ = ["changes_layer", "communes_layer", "departements_layer", "qpv_layer"]

#: The layers' coordinates: WGS84 longitude/latitude, as the HTML maps and GeoJSON.
CRS = "EPSG:4326"


def _vintage(data: CoverageData, source: str) -> str:
    sources = data.provenance.get("sources") or {}
    value = sources.get(source) if isinstance(sources, dict) else None
    return str(value.get("vintage") if isinstance(value, dict) else value or "inconnu")


def _draft_mark(draft: bool) -> str:
    return " (projet)" if draft else ""


def communes_layer(data: CoverageData, draft: bool = False) -> Layer:
    """Communes with their class under ``data.decree``.

    Fields: ``code, nom, departement, population, classe, libelle_classe, arrete,
    millesime`` (COG vintage of the codes) and ``qpv`` (QPV listed in the commune).
    """
    communes = data.communes
    cog = data.provenance.get("cog_vintage")
    decree = data.decree
    frame = gpd.GeoDataFrame(
        {
            "code": communes["code"].astype(str),
            "nom": communes["name"].astype(str),
            "departement": communes["departement"].astype(str),
            "population": pd.to_numeric(communes["population"], errors="coerce").astype("Int64"),
            "classe": communes["zone"].astype(str),
            "libelle_classe": communes["zone"].map(ZONE_LABELS).fillna(""),
            "arrete": decree.id if decree is not None else "",
            "millesime": int(cog) if cog else pd.NA,
            "qpv": communes["qpv"].astype(str),
        },
        geometry=communes.geometry.values,
        crs=communes.crs,
    ).to_crs(CRS)
    title = f"Communes — {decree.short if decree is not None else 'zonage'}{_draft_mark(draft)}"
    description = (
        f"Classe de chaque commune de la région {data.region} "
        f"({', '.join(z for z in ZONE_ORDER)} ; ND : absente du classement) selon "
        f"{decree.provenance() if decree is not None else 'le zonage'}"
        f"{' — PROJET, pas un arrêté adopté' if draft else ''}. "
        f"Codes et contours : {_vintage(data, 'cog_communes')} ({_vintage(data, 'communes_2018')}"
        f" pour les contours) ; population : {_vintage(data, 'population')}."
    )
    return Layer("communes", frame, title, description, communes_style())


def changes_layer(data: CoverageData, comparison: Comparison, draft: bool = False) -> Layer:
    """Communes whose class differs between ``comparison.before`` and ``comparison.after``.

    ``data`` gives the polygons (any decree of the same region).
    """
    changes = comparison.changes
    shapes = data.communes.set_index("code").geometry
    frame = gpd.GeoDataFrame(
        {
            "code": changes["code_insee"].astype(str),
            "nom": changes["commune"].astype(str),
            "departement": changes["departement"].astype(str),
            "population": changes["population"].astype("Int64"),
            "classe_avant": changes["classe_avant"].astype(str),
            "classe_apres": changes["classe_apres"].astype(str),
            "changement": changes["changement"].astype(str),
            "commune_apres": changes["commune_apres"].astype(str),
            "arrete_avant": comparison.before.id,
            "arrete_apres": comparison.after.id,
        },
        geometry=gpd.GeoSeries(
            changes["code_insee"].map(shapes).values, crs=data.communes.crs
        ).values,
        crs=data.communes.crs,
    ).to_crs(CRS)
    title = (
        f"Changements — {comparison.before.short} → {comparison.after.short}{_draft_mark(draft)}"
    )
    description = (
        f"Communes dont la classe change de {comparison.before.provenance()} à "
        f"{comparison.after.provenance()}{' — PROJET' if draft else ''} : "
        f"{len(frame)} communes ; avant, après, nature du changement (entrée, sortie)."
    )
    return Layer("changements", frame, title, description, changes_style(frame["changement"]))


def _qpv_points(data: CoverageData, store: Any) -> gpd.GeoDataFrame:
    """One point per (commune, QPV) listed by the sources, inside the commune."""
    listed = store.qpv_communes()
    communes = data.communes.set_index("code")
    listed = listed.loc[listed["commune"].astype(str).isin(communes.index)]
    codes = listed["commune"].astype(str)
    inside = shapely.point_on_surface(codes.map(communes.geometry).values)
    return gpd.GeoDataFrame(
        {
            "code_qp": listed["code_qp"].astype(str).values,
            "nom_qp": listed["name_qp"].fillna("").astype(str).values,
            "commune": codes.values,
            "nom_commune": codes.map(communes["name"]).astype(str).values,
            "liste": listed["qpv_list"].astype(str).values,
            "position": "point dans la commune (périmètre du QPV absent des sources)",
        },
        geometry=inside,
        crs=data.communes.crs,
    )


def qpv_layer(data: CoverageData, store: Any) -> Layer:
    """QPV of the region: perimeters when the store has them, else one point per
    (commune, QPV) listed, placed inside the commune (the description says which)."""
    polygons = data.qpv_polygons
    if not polygons.empty:
        frame = gpd.GeoDataFrame(
            {
                "code_qp": polygons["code_qp"].astype(str),
                "nom_qp": polygons["name_qp"].fillna("").astype(str),
                "commune": polygons["commune"].astype(str),
                "nom_commune": polygons["commune_name"].fillna("").astype(str),
                "liste": polygons["qpv_list"].astype(str),
                "position": "périmètre",
            },
            geometry=polygons.geometry.values,
            crs=polygons.crs,
        ).to_crs(CRS)
        description = (
            f"Périmètres des QPV de la région {data.region} ({len(frame)} polygones), "
            f"source : {_vintage(data, 'qpv_polygons')}."
        )
        return Layer("qpv", frame, "QPV — périmètres", description, qpv_style(POLYGON))
    frame = _qpv_points(data, store).to_crs(CRS)
    description = (
        f"POINTS, pas des périmètres : les sources n'ont pas les périmètres des QPV de la "
        f"région {data.region}. Un point par commune et QPV listé ({len(frame)} points, "
        f"{frame['code_qp'].nunique()} QPV, {frame['commune'].nunique()} communes), placé "
        f"dans la commune, pas dans le quartier ; un QPV sur deux communes y figure deux "
        f"fois. Liste : {_vintage(data, 'qpv_communes')}. Un site dans ces communes reste "
        "« à vérifier » tant que son adresse ne dit pas s'il est dans le QPV."
    )
    return Layer("qpv", frame, "QPV — communes (points)", description, qpv_style(POINT))


def _table_fields(table: pd.DataFrame) -> pd.DataFrame:
    """``communes ZIP`` -> ``communes_zip``, ``part ZIP (%)`` -> ``part_zip_pct``."""
    renamed = {}
    for column in table.columns:
        words = column.replace("(%)", "pct").lower().split()
        renamed[column] = "_".join(words)
    return table.rename(columns=renamed)


def departements_layer(
    data: CoverageData, draft: bool = False, region_name: str = "Région"
) -> Layer:
    """Départements and the region: communes and population per class, share of the
    population, the decree's caps (the figures of ``zoning map coverage``'s table)."""
    table = _table_fields(departement_table(data))
    caps = dict(getattr(data.decree, "caps", {}) or {})
    shapes = data.departements.set_index("departement").geometry
    region_shape = shapely.coverage_union_all(shapes.values) if len(shapes) else None
    codes = [str(code) for code in table.index]
    frame = pd.DataFrame(
        {
            "niveau": ["région" if c == REGION_ROW else "département" for c in codes],
            "code": [data.region if c == REGION_ROW else c for c in codes],
            "nom": [
                region_name if c == REGION_ROW else data.departement_names.get(c, "") for c in codes
            ],
        }
    )
    for column in table.columns:
        frame[column] = table[column].values
    for zone in ("ZIP", "ZAC"):
        frame[f"plafond_{zone.lower()}_pct"] = caps.get(zone)
    geometry = [region_shape if c == REGION_ROW else shapes.get(c) for c in codes]
    layer = gpd.GeoDataFrame(frame, geometry=geometry, crs=data.departements.crs).to_crs(CRS)
    cap_text = ", ".join(f"{k} {v:g} %" for k, v in caps.items()) or "inconnus"
    decree = data.decree
    description = (
        "Communes et population par classe, part de la population (%), par département et "
        f"pour la région (ligne « région », celle à qui s'appliquent les plafonds) ; "
        f"plafonds de {decree.short if decree is not None else 'l’arrêté'} : {cap_text}"
        f"{' — PROJET' if draft else ''}. Les mêmes chiffres que le tableau par département "
        "de `zoning map coverage`."
    )
    return Layer(
        "departements",
        layer,
        f"Départements — population par classe{_draft_mark(draft)}",
        description,
        departements_style(),
    )
