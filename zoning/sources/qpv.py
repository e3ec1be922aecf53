"""Quartiers prioritaires (QPV): polygons, and the list of QPV per commune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from zoning.errors import SourceFormatError
from zoning.sources.manifest import Source

if TYPE_CHECKING:
    import geopandas as gpd

QPV_COLUMNS = ["code_qp", "name_qp", "commune", "commune_name", "qpv_list"]


def qpv_list_of(code: str) -> str:
    """The QPV list a code belongs to: ``QP…`` codes are the 2015 list, ``QN…`` the 2024 one."""
    return {"QP": "2015", "QN": "2024"}.get(code[:2].upper(), "?")


def _resolve_fields(columns: list[str], fields: dict[str, list[str]], path: Path) -> dict[str, str]:
    """For each of our names, the first of its accepted spellings present in the file."""
    chosen: dict[str, str] = {}
    for ours, spellings in fields.items():
        options = [spellings] if isinstance(spellings, str) else spellings
        found = next((s for s in options if s in columns), None)
        if found is None and ours == "code_qp":
            raise SourceFormatError(
                f"{path} : aucune colonne de code QPV ({', '.join(options)}) "
                f"parmi {', '.join(columns)}"
            )
        if found is not None:
            chosen[ours] = found
    return chosen


def read_qpv_polygons(path: Path, source: Source) -> gpd.GeoDataFrame:
    """QPV perimeters in EPSG:4326 with valid geometries and our column names."""
    import geopandas as gpd
    import shapely

    frame = gpd.read_file(path)
    chosen = _resolve_fields(list(frame.columns), source.fields, path)
    out = frame[list(chosen.values())].rename(columns={v: k for k, v in chosen.items()})
    for col in QPV_COLUMNS[:-1]:
        if col not in out:
            out[col] = ""
    out["qpv_list"] = out["code_qp"].map(qpv_list_of)
    geometry = frame.geometry
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        geometry = geometry.to_crs(4326)
    # Rounded coordinates leave self-intersections: make_valid keeps the area.
    valid = shapely.make_valid(geometry.values)
    polygonal = [
        shapely.union_all(shapely.get_parts(g)[shapely.get_type_id(shapely.get_parts(g)) >= 3])
        for g in valid
    ]
    return gpd.GeoDataFrame(out[QPV_COLUMNS], geometry=polygonal, crs=4326)


def read_qpv_communes(path: Path, source: Source) -> pd.DataFrame:
    """One row per (commune, QPV) from the per-commune list: ``commune, code_qp, name_qp``."""
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise SourceFormatError(f"{path} : GeoJSON illisible ({exc})") from exc
    fields = source.fields
    sep = source.extra.get("list_separator", ", ")
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        commune = str(props.get(fields["commune"], "")).strip()
        codes = str(props.get(fields["code_qp"], "")).split(sep)
        names = str(props.get(fields["name_qp"], "")).split(sep)
        if not commune or not codes[0]:
            raise SourceFormatError(f"{path} : entité n°{number} sans commune ou sans code QPV")
        if len(names) != len(codes):
            names = [""] * len(codes)
        for code, name in zip(codes, names, strict=True):
            rows.append({"commune": commune, "code_qp": code.strip(), "name_qp": name.strip()})
    frame = pd.DataFrame(rows, columns=["commune", "code_qp", "name_qp"])
    frame["qpv_list"] = frame["code_qp"].map(qpv_list_of)
    return frame
