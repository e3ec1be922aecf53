"""``zoning export``: the GeoPackage opened with GDAL (pyogrio, and ogrinfo when installed).

Every layer, its row count against the raw sources (COG communes of the region, ANCT's
QPV list, the batch result), its style row in ``layer_styles`` and the provenance rows.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from export_helpers import (
    NA,
    OLD,
    raw_na_communes,
    raw_population,
    raw_posts,
    raw_qpv_pairs,
    zoning,
)

from zoning import __version__
from zoning.map.style import STATUS_STYLE, ZONE_COLORS

LAYERS = ["communes", "qpv", "departements", "sites", "liens"]
STYLED = {"communes": "classe", "sites": "statut_cle", "liens": "statut_cle"}


def _rgb(color: str) -> str:
    return ",".join(str(int(color[i : i + 2], 16)) for i in (1, 3, 5))


def test_every_layer_is_there(gpkg: Path) -> None:
    found = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    assert found == {
        "communes": "MultiPolygon",
        "qpv": "Point",
        "departements": "MultiPolygon",
        "sites": "Point",
        "liens": "LineString",
        "provenance": None,
        "layer_styles": None,
    }


def test_communes_against_the_sources(gpkg: Path, sources_dir: Path) -> None:
    raw = raw_na_communes(sources_dir)
    communes = pyogrio.read_dataframe(gpkg, layer="communes")
    assert communes.crs.to_epsg() == 4326
    assert len(communes) == len(raw) == 4309
    assert set(communes["code"]) == set(raw)
    assert dict(zip(communes["code"], communes["departement"], strict=True)) == raw
    assert list(communes.columns[:8]) == [
        "code",
        "nom",
        "departement",
        "population",
        "classe",
        "libelle_classe",
        "arrete",
        "millesime",
    ]
    assert set(communes["arrete"]) == {OLD} and set(communes["millesime"]) == {2022}
    sample = ["23096", "33063", "64102", "87085"]
    by_code = communes.set_index("code")
    assert by_code.loc[sample, "population"].to_dict() == raw_population(sources_dir, sample)
    # Guéret ZIP; Bordeaux, Bayonne, Limoges hors zonage (SOURCES.md, zonage file)
    assert by_code.loc[sample, "classe"].tolist() == ["ZIP", "HZ", "HZ", "HZ"]
    assert by_code.loc["23096", "nom"] == "Guéret"
    assert by_code.geometry.is_valid.mean() > 0.99 and not by_code.geometry.is_empty.any()


def test_qpv_are_points_and_say_so(gpkg: Path, sources_dir: Path) -> None:
    pairs = raw_qpv_pairs(sources_dir, set(raw_na_communes(sources_dir)))
    qpv = pyogrio.read_dataframe(gpkg, layer="qpv")
    assert len(qpv) == len(pairs) == 91
    assert sorted(zip(qpv["commune"], qpv["code_qp"], strict=True)) == sorted(pairs)
    assert qpv["code_qp"].nunique() == 83
    info = pyogrio.read_info(gpkg, layer="qpv")
    assert info["layer_metadata"]["DESCRIPTION"].startswith("POINTS, pas des périmètres")
    communes = pyogrio.read_dataframe(gpkg, layer="communes").set_index("code")
    inside = [
        communes.geometry[c].contains(p) for c, p in zip(qpv["commune"], qpv.geometry, strict=True)
    ]
    assert all(inside)


def test_departements_match_the_coverage_table(
    gpkg: Path, store_path: Path, sources_dir: Path, work: Path
) -> None:
    deps = pyogrio.read_dataframe(gpkg, layer="departements")
    raw = raw_na_communes(sources_dir)
    assert len(deps) == 13
    per_dep = pd.Series(raw).value_counts()
    rows = deps.set_index("code")
    assert rows.loc[list(per_dep.index), "communes"].to_dict() == per_dep.to_dict()
    assert rows.loc[NA, "niveau"] == "région" and rows.loc[NA, "communes"] == len(raw)
    regions = pd.read_csv(sources_dir / "cog_communes" / "cog2022_regions.csv", dtype=str)
    assert rows.loc[NA, "nom"] == regions.set_index("REG").loc[NA, "LIBELLE"]
    assert rows.loc[NA, "plafond_zip_pct"] == 16.8 and rows.loc[NA, "plafond_zac_pct"] == 45.8
    # The same figures as `zoning map coverage`'s département table.
    result = zoning(
        store_path, "map", "coverage", "--region", NA, "-o", str(work / "cov.html"), cwd=work
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(
        work / "cov-departements.csv", sep=";", decimal=",", dtype={"département": str}
    ).set_index("département")
    table = table.rename(index={"Région": NA})
    for column in table.columns.drop("nom"):
        field = "_".join(column.replace("(%)", "pct").lower().split())  # part_zip_pct
        assert rows.loc[table.index, field].tolist() == pytest.approx(table[column].tolist()), field


def test_sites_and_lines_against_the_result(gpkg: Path, batch_result: Path) -> None:
    posts, placed = raw_posts(batch_result)
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    links = pyogrio.read_dataframe(gpkg, layer="liens")
    assert len(links) == placed
    assert len(sites) == placed + posts
    assert sites["role"].value_counts().to_dict() == {
        "site ambulatoire": placed,
        "établissement": posts,
    }
    assert set(links["statut_cle"]) <= set(STATUS_STYLE)
    gueret = links.set_index("poste").loc["EX01"]
    assert gueret["statut"] == "éligible" and gueret["distance_km"] == pytest.approx(30.292)
    assert len(gueret.geometry.coords) == 2


def test_each_layer_has_its_qgis_style(gpkg: Path) -> None:
    with sqlite3.connect(gpkg) as connection:
        rows = connection.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time "
            "FROM layer_styles"
        ).fetchall()
        registered = connection.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    assert registered == ("attributes",)
    styles = {row[2]: row for row in rows}
    assert sorted(styles) == sorted(LAYERS)
    for name, row in styles.items():
        catalog, schema, _, column, style_name, qml, sld, default, *_, updated = row
        assert (catalog, schema, column, default) == ("", "", "geom", 1), name
        assert style_name and updated
        root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        renderer = root.find("renderer-v2")
        assert renderer is not None
        ET.fromstring(sld.split("\n", 1)[1])
        if name in STYLED:
            assert renderer.get("type") == "categorizedSymbol", name
            assert renderer.get("attr") == STYLED[name]
        else:
            assert renderer.get("type") == "singleSymbol", name
    communes = ET.fromstring(styles["communes"][5].split("\n", 1)[1])
    values = [c.get("value") for c in communes.iter("category")]
    colours = [
        s.find("layer/prop[@k='color']").get("v")
        for s in communes.find("renderer-v2/symbols").iter("symbol")
    ]
    for value, colour in zip(values, colours, strict=True):
        assert colour.startswith(_rgb(ZONE_COLORS[value]) + ","), value


def test_provenance_rows(gpkg: Path) -> None:
    provenance = pyogrio.read_dataframe(gpkg, layer="provenance")
    rows = dict(zip(provenance["cle"], provenance["valeur"], strict=True))
    assert rows["outil"] == f"zoning {__version__}"
    assert "25 avril 2022" in rows["arrêté"] and rows["identifiant de l'arrêté"] == OLD
    assert "ZIP 16.8 %" in rows["plafonds de l'arrêté (part de la population régionale)"]
    assert rows["source population"] == "population 2019, COG 2021"
    assert rows["source qpv_communes"].startswith("QPV 2024")
    assert rows["millésime des codes communes (COG)"] == "2022"
    assert rows["fichier de postes"] == "resultats.geojson"
    assert all(f"couche {name}" in rows for name in LAYERS)
    metadata = pyogrio.read_info(gpkg, layer="communes")["dataset_metadata"]
    assert metadata["outil"] == rows["outil"] and metadata["arrete"] == rows["arrêté"]


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo (gdal-bin) absent")
def test_ogrinfo_reads_it(gpkg: Path) -> None:
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-nomd", str(gpkg), "communes"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Feature Count: 4309" in out
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-q", "-nomd", str(gpkg)], capture_output=True, text=True, check=True
    ).stdout
    for name in [*LAYERS, "provenance", "layer_styles"]:
        assert f": {name} (" in listing, name
