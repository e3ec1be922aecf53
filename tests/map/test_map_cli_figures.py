"""``zoning map`` on the command line, the planners' figures, and the asset inliner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import pandas as pd
import pytest
from click.testing import CliRunner

from zoning.cli import cli
from zoning.errors import MapAssetsMissingError
from zoning.map.assets import external_urls, inline_assets
from zoning.map.figures import REGION_ROW, departement_table, site_zones, write_figures
from zoning.map.posts.read import read_posts


def test_cli_coverage_writes_map_and_figures(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps" / "na.html"
    out.parent.mkdir()  # a missing output folder is refused (tests/hostile/test_outputs.py)
    result = CliRunner().invoke(
        cli, ["map", "coverage", "--store", str(store_path), "--region", "75", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "4309 communes" in result.output
    for suffix in (".csv", ".png", ".html"):
        assert (tmp_path / "maps" / f"na-departements{suffix}").stat().st_size > 0
    assert external_urls(out.read_text(encoding="utf-8")) == []


def test_cli_posts(store_path: Path, posts_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "postes.html"
    result = CliRunner().invoke(
        cli,
        [
            "map",
            "posts",
            str(posts_csv),
            "--store",
            str(store_path),
            "--no-coverage",
            "--no-figures",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 postes" in result.output and "Attention" in result.output
    assert external_urls(out.read_text(encoding="utf-8")) == []


def test_cli_date_before_any_decree_is_a_clear_error(store_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "map",
            "coverage",
            "--store",
            str(store_path),
            "--date",
            "1990-01-01",
            "-o",
            str(tmp_path / "x.html"),
        ],
    )
    assert result.exit_code != 0
    assert not (tmp_path / "x.html").exists()


def test_departement_table_adds_up_to_the_store(coverage_data: Any, store: Any) -> None:
    table = departement_table(coverage_data)
    communes = store.communes_gdf("75")
    assert len(table) == 13 and table.index[-1] == REGION_ROW
    assert table.loc[REGION_ROW, "communes"] == len(communes)
    assert table.loc[REGION_ROW, "population"] == communes["population"].sum()
    per_dep = communes.groupby("departement").size()
    assert table["communes"].drop(REGION_ROW).to_dict() == per_dep.to_dict()
    # The file's Nouvelle-Aquitaine shares sit under the decree's caps (SOURCES.md).
    caps = store.decree_for("75", None).caps
    assert 15 < table.loc[REGION_ROW, "part ZIP (%)"] <= caps["ZIP"]
    assert 40 < table.loc[REGION_ROW, "part ZAC (%)"] <= caps["ZAC"]


def test_figures_with_posts(
    coverage_data: Any, posts_csv: Path, store: Any, tmp_path: Path
) -> None:
    posts = read_posts(posts_csv)
    sites = site_zones(posts, coverage_data, store)
    # Aubusson (23008) and Bourganeuf (23030) are ZIP communes of Creuse in the store.
    zones = store.zones(store.decree_for("75", None).id).set_index("code")["zone"]
    assert sites.loc[sites["post_id"] == "T1", "commune"].iloc[0] == "23008"
    assert sites.loc[sites["post_id"] == "T1", "zone"].iloc[0] == zones["23008"]
    files = write_figures(coverage_data, tmp_path / "postes", posts=posts, store=store)
    assert [f.name for f in files] == [
        "postes-departements.html",
        "postes-departements.png",
        "postes-departements.csv",
    ]
    page = files[0].read_text(encoding="utf-8")
    assert "Postes par classe" in page and "data:image/png;base64," in page
    csv = pd.read_csv(files[2], sep=";", encoding="utf-8-sig", decimal=",", dtype={0: str})
    assert csv.iloc[-1, 0] == REGION_ROW


def test_inliner_makes_a_default_folium_map_offline() -> None:
    from folium.plugins import Fullscreen, MarkerCluster, Search

    fmap = folium.Map(tiles=None)
    geo = folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "a"},
                    "geometry": {"type": "Point", "coordinates": [1, 46]},
                }
            ],
        }
    ).add_to(fmap)
    Fullscreen().add_to(fmap)
    MarkerCluster().add_to(fmap)
    Search(layer=geo, search_label="name").add_to(fmap)
    folium.Marker([46, 1], icon=folium.Icon(icon="plus", prefix="fa")).add_to(fmap)
    raw = fmap.get_root().render()
    assert external_urls(raw)
    page = inline_assets(raw)
    assert external_urls(page) == []
    assert "data:font/woff2;base64," in page  # Font Awesome's fonts travel inside


def test_inliner_refuses_an_unknown_cdn_file() -> None:
    page = '<script src="https://cdn.example.org/unknown.js"></script>'
    with pytest.raises(MapAssetsMissingError, match=r"unknown\.js"):
        inline_assets(page)
