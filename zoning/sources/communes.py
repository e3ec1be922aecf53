"""Commune polygons from any vector file with an INSEE code field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zoning.errors import SourceFormatError
from zoning.sources.manifest import Source

if TYPE_CHECKING:
    import geopandas as gpd


def read_commune_polygons(paths: list[Path], source: Source) -> gpd.GeoDataFrame:
    """``code, name, geometry`` (EPSG:4326) from one or several files (e.g. one per département)."""
    import geopandas as gpd
    import pandas as pd

    code_field = source.fields.get("code", "code")
    name_field = source.fields.get("name", "nom")
    parts = []
    for path in paths:
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            raise SourceFormatError(f"{path} : fichier vectoriel illisible ({exc})") from exc
        if code_field not in frame.columns:
            raise SourceFormatError(
                f"{path} : pas de champ de code INSEE « {code_field} » "
                f"(champs : {', '.join(c for c in frame.columns if c != 'geometry')})"
            )
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        frame = frame.rename(columns={code_field: "code", name_field: "name"})
        if "name" not in frame:
            frame["name"] = ""
        parts.append(frame[["code", "name", "geometry"]])
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    out["code"] = out["code"].astype(str).str.strip()
    return out
