"""What the coverage map and the figures show, read from the zoning store.

One place joins communes, classes, QPV and provenance, so that the map, the tables
and the notebook count the same things.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from zoning import __version__
from zoning.map.geometry import dissolve, simplify_coverage

if TYPE_CHECKING:
    from zoning.store import ZoningStore

__all__ = ["CoverageData", "load_coverage"]

log = logging.getLogger(__name__)

ZONE_CLASSES = ("ZIP", "ZAC", "ZV", "ZAR", "HZ", "ND")

#: Store source ids named in the provenance lines, with a short French label.
SOURCE_LABELS: dict[str, str] = {
    "zonage_medecins": "zonage",
    "cog_communes": "communes",
    "communes_2018": "contours",
    "population": "population",
    "qpv_communes": "QPV",
    "qpv_polygons": "périmètres QPV",
}


@dataclass
class CoverageData:
    """Communes of one region with their class, ready to draw.

    Attributes
    ----------
    region : str
        Region code (``"75"``).
    communes : geopandas.GeoDataFrame
        One row per commune: ``code, name, departement, population, zone, qpv``
        (``qpv``: ", "-joined QPV names listed for the commune, "" if none) and the
        display geometry (EPSG:4326).
    departements : geopandas.GeoDataFrame
        ``departement, geometry``: union of the display communes.
    qpv_polygons : geopandas.GeoDataFrame
        QPV perimeters of the region (may be empty: the sources hold none for some regions).
    decree : Any
        The store's ``Decree`` the classes come from (``id``, ``short``, ``signed``...).
    provenance : dict
        ``store.provenance()`` plus ``tool_version``.
    on : datetime.date or None
        Date the decree was chosen for (None: latest).
    departement_names : dict
        Département code -> name, when the store knows them.
    """

    region: str
    communes: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    qpv_polygons: gpd.GeoDataFrame
    decree: Any
    provenance: dict[str, Any]
    on: dt.date | None = None
    departement_names: dict[str, str] = field(default_factory=dict)

    def provenance_lines(self) -> list[str]:
        """French lines for a legend or a figure footer: decree, data vintages, tool."""
        lines = []
        if self.decree is not None:
            lines.append(f"Zonage : {self.decree.provenance()}")
        sources = self.provenance.get("sources") or {}
        vintages = []
        if isinstance(sources, dict):
            for key, label in SOURCE_LABELS.items():
                info = sources.get(key)
                vintage = info.get("vintage") if isinstance(info, dict) else info
                if vintage:
                    vintages.append(f"{label} : {vintage}")
        if vintages:
            lines.append("Données : " + " ; ".join(vintages))
        built = self.provenance.get("store_built_at") or self.provenance.get("built_at")
        version = self.provenance.get("store_tool_version") or __version__
        lines.append(
            f"zoning {__version__} (base construite par zoning {version}"
            + (f" le {str(built)[:10]}" if built else "")
            + ")"
        )
        return lines


def _qpv_names(store: ZoningStore) -> pd.Series:
    frame = store.qpv_communes()
    if frame.empty:
        return pd.Series(dtype=str)
    label = frame["name_qp"].fillna("").astype(str)
    label = label.where(label != "", frame["code_qp"].astype(str))
    label = label + " (" + frame["code_qp"].astype(str) + ")"
    return label.groupby(frame["commune"].astype(str)).agg(", ".join)


def load_coverage(
    store: ZoningStore,
    region: str = "75",
    on: dt.date | None = None,
    tolerance_m: float = 150.0,
    decree_id: str | None = None,
) -> CoverageData:
    """Read communes, classes and QPV of a region from the store, simplified for display.

    Parameters
    ----------
    store : ZoningStore
        An opened store.
    region : str
        Region code.
    on : datetime.date, optional
        Date the decree must be in force on (None: the region's latest decree).
    tolerance_m : float
        Display simplification tolerance in metres (0: keep the store's geometry).
    decree_id : str, optional
        Draw this decree's classes (its region), whatever the date.

    Returns
    -------
    CoverageData
    """
    if decree_id is not None:
        from zoning.errors import DecreeNotLoadedError

        decree = store.decree(decree_id)
        region = decree.region
        if not decree.classes_loaded:
            raise DecreeNotLoadedError(
                f"{decree.provenance()} : classement non chargé, rien à cartographier "
                f"(chargez son annexe avec `{decree.import_command()}`)"
            )
    else:
        decree = store.decree_for(region, on)
    source = store.communes_gdf(region)
    zones = store.zones(decree.id)[["code", "zone"]].drop_duplicates("code")
    communes = source[["code", "name", "departement", "population", "geometry"]].merge(
        zones, on="code", how="left"
    )
    # A commune the zoning file does not classify has no row, or an empty class.
    communes["zone"] = communes["zone"].fillna("").astype(str).str.strip().replace("", "ND")
    unknown = sorted(set(communes["zone"]) - set(ZONE_CLASSES))
    if unknown:
        log.warning("unknown zone classes %s drawn as ND", unknown)
        communes.loc[~communes["zone"].isin(ZONE_CLASSES), "zone"] = "ND"
    communes["population"] = pd.to_numeric(communes["population"], errors="coerce")
    communes["qpv"] = communes["code"].map(_qpv_names(store)).fillna("")
    communes = gpd.GeoDataFrame(communes, geometry="geometry", crs=source.crs)
    no_shape = communes.geometry.isna() | communes.geometry.is_empty
    if no_shape.any():
        log.warning(
            "%d communes of region %s have no polygon and are not drawn: %s",
            int(no_shape.sum()),
            region,
            ", ".join(communes.loc[no_shape, "code"].head(10)),
        )
        communes = communes[~no_shape].reset_index(drop=True)
    if tolerance_m > 0:
        communes = simplify_coverage(communes, tolerance_m)
    else:
        communes = communes.to_crs("EPSG:4326")
    departements = dissolve(communes, "departement")

    qpv = store.qpv_polygons()
    if not qpv.empty:
        qpv = qpv[qpv["commune"].astype(str).isin(set(communes["code"]))]
    provenance = dict(store.provenance())
    provenance.setdefault("tool_version", __version__)
    log.info(
        "coverage of region %s: %d communes, %d départements, %d QPV polygons, decree %s",
        region,
        len(communes),
        len(departements),
        len(qpv),
        decree.id,
    )
    return CoverageData(
        region=region,
        communes=communes,
        departements=departements,
        qpv_polygons=qpv,
        decree=decree,
        provenance=provenance,
        on=on,
        departement_names=dict((getattr(store, "meta", None) or {}).get("departements") or {}),
    )
