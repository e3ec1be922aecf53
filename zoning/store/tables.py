"""The store's tables shaped from the sources' frames (pandas, no file read or written).

The store's vintage and its decrees, codes carried to that vintage, postal codes and
polygons of later communes, the zones table with its notes, the map of old codes: each
step of :func:`zoning.store.build.build_store` that only reshapes what it was given.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from zoning.errors import SourceFormatError
from zoning.io.french import format_date
from zoning.sources.manifest import Source
from zoning.store.decrees import Decree, generic_decree


def carry_frame(
    frame: pd.DataFrame, mapping: dict[str, set[str]], column: str = "code"
) -> pd.DataFrame:
    """Replace codes by the codes they became (one row per target code)."""
    out = frame.copy()
    out[column] = [sorted(mapping.get(c, {c})) for c in out[column]]
    return out.explode(column, ignore_index=True)


def complete_postal(postal: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """La Poste's table (2022) plus one row per postal code of each later commune.

    A commune nouvelle or a renamed commune takes the postal codes of the communes it
    covers, under its own name; ``since`` (empty on La Poste's own rows) says the row
    names a later commune, whose ``code`` is resolved through ``later_communes`` (it may
    be the code of one of its former communes).
    """
    postal = postal.assign(since="")
    first = postal.drop_duplicates(["code", "postcode"])
    added = []
    for code, name, since, members in zip(
        later["code"], later["name"], later["since"], later["members"], strict=True
    ):
        rows = first.loc[first["code"].isin(members.split())]
        for postcode, lat, lon in zip(rows["postcode"], rows["lat"], rows["lon"], strict=True):
            added.append(
                {"code": code, "name": name, "postcode": postcode, "line5": "", "label": "",
                 "lat": lat, "lon": lon, "since": since}
            )  # fmt: skip
    extra = pd.DataFrame(added, columns=postal.columns).drop_duplicates(
        ["code", "name", "postcode"]
    )
    return pd.concat([postal, extra], ignore_index=True)


def later_geometries(later: pd.DataFrame, geo: Any) -> Any:
    """The later communes with their polygons: the union of the communes of the store's
    vintage they cover; none for a commune « à vérifier » (a restored commune's boundary
    is not in the 2018 polygons)."""
    import geopandas as gpd
    import shapely

    polygon_of = dict(zip(geo["code"], geo.geometry.values, strict=True))
    shapes = [
        None if check else shapely.union_all([polygon_of[m] for m in members.split()])
        for members, check in zip(later["members"], later["check"], strict=True)
    ]
    return gpd.GeoDataFrame(later, geometry=shapes, crs=4326)


def dissolve_by_code(polygons: Any) -> Any:
    """Union the polygons sharing a code (merged communes); single ones are kept as they are."""
    import geopandas as gpd
    import shapely

    counts = polygons["code"].value_counts()
    single = polygons[polygons["code"].map(counts) == 1]
    multi = polygons[polygons["code"].map(counts) > 1]
    merged = [
        {"code": code, "geometry": shapely.union_all(shapely.make_valid(group.geometry.values))}
        for code, group in multi.groupby("code")
    ]
    merged_gdf = gpd.GeoDataFrame(
        merged, columns=["code", "geometry"], geometry="geometry", crs=4326
    )
    out = pd.concat([single[["code", "geometry"]], merged_gdf], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326).sort_values(
        "code", ignore_index=True
    )


def zones_table(
    communes: pd.DataFrame, classes: pd.DataFrame, decrees: list[Decree]
) -> pd.DataFrame:
    """One row per (decree, commune of its region): the class, or why there is none."""
    frames = []
    for decree in decrees:
        if not decree.classes_loaded:
            continue  # a record without its annex: no class rather than another decree's
        region_communes = communes.loc[communes["region"] == decree.region, ["code"]]
        table = region_communes.merge(classes, on="code", how="left")
        table.insert(0, "decree_id", decree.id)
        frames.append(table)
    zones = pd.concat(frames, ignore_index=True)
    for col in ("zone", "lines", "via", "conflict"):
        zones[col] = zones[col].fillna("")
    zones["note"] = ""
    no_row = zones["lines"] == ""
    zones.loc[no_row, "note"] = "aucune ligne du fichier de zonage ne désigne cette commune"
    has_conflict = zones["conflict"] != ""
    zones.loc[has_conflict, "note"] = "lignes en conflit : " + zones.loc[has_conflict, "conflict"]
    return zones.drop(columns=["conflict"])


def explain_missing(zones: pd.DataFrame, mouvements: pd.DataFrame, vintage_day: Any) -> list[str]:
    """Add to « no row » notes what became of the commune after the vintage, if anything."""
    later = mouvements.loc[
        (mouvements["date"] > vintage_day)
        & (mouvements["type_before"] == "COM")
        & (mouvements["type_after"] == "COM")
        & (mouvements["code_before"] != mouvements["code_after"])
    ]
    fate = {
        code: f" ; fusionnée le {format_date(day)} dans {name} ({new})"
        for code, day, name, new in zip(
            later["code_before"],
            later["date"],
            later["name_after"],
            later["code_after"],
            strict=True,
        )
    }
    return [
        note + fate.get(code, "") if zone == "" and note else note
        for code, zone, note in zip(zones["code"], zones["zone"], zones["note"], strict=True)
    ]


def code_map_frame(mouvements: pd.DataFrame, cog_all: pd.DataFrame) -> pd.DataFrame:
    """Every COM -> COM movement, plus COMD/COMA/ARM -> parent commune of the vintage."""
    events = mouvements.loc[
        (mouvements["type_before"] == "COM") & (mouvements["type_after"] == "COM"),
        ["code_before", "code_after", "date", "mod", "name_before", "name_after"],
    ].rename(
        columns={
            "code_before": "old_code",
            "code_after": "new_code",
            "name_before": "old_name",
            "name_after": "new_name",
        }
    )
    events["date"] = events["date"].astype(str)
    parts = cog_all.loc[cog_all["type"] != "COM"]
    parents = pd.DataFrame(
        {
            "old_code": parts["code"],
            "new_code": parts["parent"],
            "date": "",
            "mod": parts["type"],
            "old_name": parts["name"],
            "new_name": "",
        }
    )
    return pd.concat([events, parents], ignore_index=True)


def store_vintage(decrees: list[Decree], cog_source: Source) -> int:
    # A decree whose classes are imported later is carried to the store's vintage then.
    vintages = {d.cog_vintage for d in decrees if d.classes_loaded}
    if len(vintages) > 1:
        raise SourceFormatError(
            f"les arrêtés décrits utilisent plusieurs millésimes du COG ({sorted(vintages)}) : "
            "un magasin ne porte qu'un millésime"
        )
    return vintages.pop() if vintages else int(cog_source.extra.get("cog_vintage", 2022))


def decrees_for_regions(
    described: list[Decree], regions: pd.DataFrame, zoning_source: str, vintage: int
) -> list[Decree]:
    """The described decrees, plus a generic one for every other region."""
    covered = {d.region for d in described}
    generic = [
        generic_decree(code, name, zoning_source, vintage)
        for code, name in zip(regions["REG"], regions["LIBELLE"], strict=True)
        if code not in covered
    ]
    return described + generic
