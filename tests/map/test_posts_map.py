"""Reading batch results and drawing the posts map in real headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from map_browser import external_requests, js_errors, open_map, texts_of, toggle_layer, wait_until

from zoning.errors import InvalidInputError
from zoning.map.posts import posts_map, posts_payload, read_posts
from zoning.map.render import save_map
from zoning.map.style import STATUS_STYLE


@pytest.fixture(scope="module")
def posts_html(posts_csv: Path, coverage_data: Any, maps_dir: Path) -> Path:
    return save_map(posts_map(read_posts(posts_csv), coverage_data), maps_dir / "postes.html")


def test_read_excel_csv_cp1252_semicolon(posts_csv: Path) -> None:
    table = read_posts(posts_csv)
    rows = table.rows
    assert list(rows["post_id"].unique()) == ["T1", "T2", "T3", "T4", "T5"]
    assert len(rows) == 6  # T3 has two ambulatory sites: one row each
    assert rows.loc[rows["post_id"] == "T1", "funding"].iloc[0] == pytest.approx(3130.42)
    assert rows.set_index("post_id")["status_key"].to_dict()["T2"] == "non_eligible"
    # T5 has no site coordinates: kept, not drawn, and said so with its line number.
    assert not rows.loc[rows["post_id"] == "T5", "drawable"].iloc[0]
    assert table.notes and "ligne" in table.notes[0] and "7" in table.notes[0]


def test_read_numbered_site_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "Référence,Programme,Statut,Hôpital,Hôpital lon,Hôpital lat,"
        "site1_nom,site1_lon,site1_lat,site2_nom,site2_lon,site2_lat\n"
        "W1,na-mg-2023,Éligible,CH,1.87113,46.16497,A,2.1683,45.9563,B,1.93,46.1\n"
        "W2,na-mg-2023,Non éligible,CH,1.87113,46.16497,C,1.9,46.2,,,\n",
        encoding="utf-8",
    )
    rows = read_posts(path).rows
    assert rows.groupby("post_id").size().to_dict() == {"W1": 2, "W2": 1}
    assert rows["drawable"].all()
    assert list(rows["site_name"]) == ["A", "B", "C"]


def test_read_geojson_lines(tmp_path: Path) -> None:
    path = tmp_path / "posts.geojson"
    feature = {
        "type": "Feature",
        "properties": {"id": "G1", "programme": "p", "statut": "éligible", "distance_km": 31.2},
        "geometry": {"type": "LineString", "coordinates": [[1.87113, 46.16497], [2.1683, 45.9563]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    rows = read_posts(path).rows
    assert rows.iloc[0]["main_lon"] == pytest.approx(1.87113)
    assert rows.iloc[0]["site_lat"] == pytest.approx(45.9563)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("nom;ville\nx;y\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match="colonnes manquantes : longitude du site principal"
    ):
        read_posts(path)


def test_posts_without_a_known_reference_column_are_named_by_line(tmp_path: Path) -> None:
    """« N° dossier » is the batch's reference but not a name the map knows: the posts
    are still drawn, named by their line in the file."""
    path = tmp_path / "resultats.csv"
    path.write_text(
        "N° dossier;statut;lon_etablissement;lat_etablissement;site_lon;site_lat\n"
        "D-1;éligible;1.87113;46.16497;2.1683;45.9563\n"
        "D-2;à vérifier;1.2611;45.8336;0.3404;46.5802\n",
        encoding="utf-8",
    )
    rows = read_posts(path).rows
    assert list(rows["post_id"]) == ["ligne 2", "ligne 3"]
    assert rows["drawable"].all()


def test_malformed_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id;site_lon\n1;2\n3;4;5;6\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="ligne 3"):
        read_posts(path)


def test_posts_map_in_browser(
    posts_html: Path, posts_csv: Path, browser: Any, tmp_path: Path
) -> None:

    table = read_posts(posts_csv)
    drawable = table.drawable
    open_map(browser, posts_html)
    assert js_errors(browser) == []
    assert external_requests(browser) == []
    counts = browser.execute_script(
        "var z = window.zoningPosts; return {"
        "lines: document.querySelectorAll('path.zoning-post-line').length,"
        "hospitals: z.hospitals.getLayers().length, sites: z.sites.getLayers().length,"
        "circles: z.circles.getLayers().length,"
        "circlesShown: window.zoning.map.hasLayer(z.circles),"
        "labels: document.querySelectorAll('.zoning-distance').length,"
        "communes: window.zoning.layers.communes.getLayers().length};"
    )
    n_main = drawable[["main_lon", "main_lat"]].drop_duplicates().shape[0]
    assert counts["lines"] == len(drawable) == 5
    assert counts["labels"] == len(drawable)
    assert counts["sites"] == len(drawable)
    assert counts["hospitals"] == n_main == 3
    # A circle only where the programme has a distance threshold: the CVL post's hospital
    # (Bayonne), not the na-mg-2023 ones (no premium in that programme).
    assert counts["circles"] == 1 and counts["circlesShown"] is False
    assert counts["communes"] == 4309  # coverage underneath
    # Lines take their status colour.
    colours = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.zoning-post-line'))"
        ".map(function (p) { return p.getAttribute('stroke'); });"
    )
    assert set(colours) == {STATUS_STYLE[k][0] for k in drawable["status_key"]}

    # The 20 km circles appear when their layer is ticked.
    toggle_layer(browser, "Seuil de distance")
    wait_until(
        browser,
        lambda d: d.execute_script(
            "return window.zoning.map.hasLayer(window.zoningPosts.circles);"
        ),
        what="the 20 km circles",
    )

    # Unticking a status hides its posts only.
    toggle_layer(browser, "Statut : non éligible")
    shown = len(drawable[drawable["status_key"] != "non_eligible"])
    wait_until(
        browser,
        lambda d: (
            d.execute_script("return document.querySelectorAll('path.zoning-post-line').length;")
            == shown
        ),
        what=f"{shown} post lines",
    )

    # A line's popup gives the verdict, premium and funding.
    browser.execute_script("window.zoningPosts.lines.getLayers()[0].openPopup();")
    popup = " ".join(texts_of(browser, ".leaflet-popup-content"))
    assert "Poste T1" in popup and "éligible" in popup
    assert "Prime territoriale : 450,00\u00a0€" in popup
    assert "3\u202f130,42" in popup
    assert js_errors(browser) == []
    browser.save_screenshot(str(tmp_path / "posts.png"))


REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"


@pytest.fixture(scope="module")
def batch_geojson(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real ``zoning batch`` run on the project's example candidates (GeoJSON output)."""
    from click.testing import CliRunner

    from zoning.cli import cli

    out = tmp_path_factory.mktemp("batch") / "resultats.geojson"
    result = CliRunner().invoke(
        cli,
        ["batch", str(EXAMPLE), "-p", "na-mg-2023", "-o", str(out)],
        # no ZONING_SOURCES: FINESS numbers are found in the folder the store was built from
        env={"ZONING_STORE": str(store_path)},
    )
    assert result.exit_code == 0, result.output
    return out


def test_batch_output_programme_and_classes_are_read(batch_geojson: Path) -> None:
    from zoning.map.posts import _load, _programme_of

    assert _programme_of(batch_geojson, _load(batch_geojson)) == "na-mg-2023"


def test_batch_output_maps(batch_geojson: Path, coverage_data: Any, tmp_path: Path) -> None:
    table = read_posts(batch_geojson)
    assert table.rows["programme"].eq("na-mg-2023").all()
    assert table.rows["drawable"].sum() >= 10
    save_map(posts_map(table, coverage_data), tmp_path / "batch.html")


def test_read_batch_shaped_results_with_coordinates(tmp_path: Path) -> None:
    """Columns as ``zoning batch`` writes them, plus the coordinates asked of it."""
    path = tmp_path / "resultats.csv"
    path.write_text(
        "Identifiant;Site longitude;Site latitude;statut;motifs;commune_etablissement;"
        "lon_etablissement;lat_etablissement;zone_site1;lon_site1;lat_site1;distance_km_site1;"
        "zone_site2;lon_site2;lat_site2;distance_km_site2;prime_mensuelle;financement_mensuel\n"
        "EX1;2,1683;45,9563;éligible;;Guéret (23096);1,87113;46,16497;ZAC;2,1683;45,9563;"
        "32,6;ZIP;1,93;46,1;8,1;450;3130,42\n",
        encoding="cp1252",
    )
    rows = read_posts(path).rows
    assert list(rows["site_lon"]) == [2.1683, 1.93]  # numbered columns win over "Site longitude"
    assert list(rows["site_zone"]) == ["ZAC", "ZIP"]
    assert list(rows["distance_km"]) == [32.6, 8.1]
    assert rows["main_name"].eq("Guéret (23096)").all() and rows["drawable"].all()


def test_map_says_what_the_row_says_near_the_threshold(store: Any, tmp_path: Path) -> None:
    """Sites 19,96 km and 20,04 km from the CH de Guéret (Geod.fwd from its Eurostat
    coordinates) and one known by its commune only (Aubusson): the map's label carries
    the batch's own distance text and verdict (never « 20,0 km » beside « à vérifier »),
    and its circle is the programme's threshold recorded by the batch."""
    import csv

    from pyproj import Geod

    from zoning.locate.finess import default_finess_locator
    from zoning.report.service import run_batch

    gueret = (1.87113, 46.16497)
    geod = Geod(ellps="WGS84")
    cells = []
    for ref, km in (("P1", 19.96), ("P2", 20.04)):
        lon, lat, _ = geod.fwd(*gueret, 200.0, km * 1000)
        cells.append(f"{ref};230000820;4;{lon:.7f};{lat:.7f};;01/11/2025")
    cells.append("P3;230000820;4;;;23008;01/11/2025")
    src = tmp_path / "candidats.csv"
    src.write_text(
        "Identifiant;FINESS établissement;Demi-journées hôpital;Site longitude;Site latitude;"
        "Site code INSEE;Date de début\n" + "\n".join(cells) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "resultats.csv"
    finess = default_finess_locator(store.sources_dir())
    run_batch(src, "ars-specialistes-60pc-2025", out, store, finess=finess, progress=False)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["Identifiant"]: r for r in csv.DictReader(handle, delimiter=";")}
    assert rows["P1"]["regle_20km_site1"].startswith("à vérifier")
    assert rows["P2"]["regle_20km_site1"].startswith("ok")
    assert rows["P3"]["regle_20km_site1"].startswith("ok : toute la commune est à 20 km ou plus")
    table = read_posts(out)
    assert table.thresholds == {"ars-specialistes-60pc-2025": 20.0}
    posts = {p["id"]: p for p in posts_payload(table)}
    expected = {"P1": "19,9 km · à vérifier", "P2": "20,0 km · prime : oui"}
    for ref, label in expected.items():
        assert posts[ref]["sites"][0]["label"] == label
        assert label.split(" · ")[0] in rows[ref]["regle_20km_site1"]
        assert posts[ref]["radius"] == 20000.0
    span = posts["P3"]["sites"][0]["label"]
    low, high = span.removesuffix(" · prime : oui").removesuffix(" km").split("–")
    assert f"entre {low} km et {high}" in rows["P3"]["regle_20km_site1"]
    assert f"entre {low} km et {high}" in rows["P3"]["prime_motif"]


def test_threshold_comes_from_the_programme_data(store: Any, tmp_path: Path) -> None:
    """A programme whose premium starts at 15 km (a copy of a real rules file with that
    one figure changed): the rule, the Excel's provenance and the map's circles all say
    15 km — no 20 km written anywhere in code."""
    import re

    from zoning.locate.finess import default_finess_locator
    from zoning.report.service import run_batch

    rules = tmp_path / "programmes"
    rules.mkdir()
    text = (REPO / "data" / "programmes" / "ars-specialistes-60pc-2025.toml").read_text("utf-8")
    text = re.sub(r'(?m)^id = ".*"$', 'id = "essai-15km"', text)
    text = re.sub(r"(?m)^min_distance_km = .*$", "min_distance_km = 15.0", text)
    (rules / "essai-15km.toml").write_text(text, encoding="utf-8")
    src = tmp_path / "candidats.csv"
    # CH de Guéret -> Aubusson, known by its commune only (30 to 36 km).
    src.write_text(
        "Identifiant;FINESS établissement;Demi-journées hôpital;Site code INSEE;Date de début\n"
        "Q1;230000820;4;23008;01/11/2025\n",
        encoding="utf-8",
    )
    out = tmp_path / "resultats.xlsx"
    finess = default_finess_locator(store.sources_dir())
    run = run_batch(
        src, "essai-15km", out, store, finess=finess, progress=False, programmes_folder=rules
    )
    rule = run.table[0][run.headers.index("regle_20km_site1")]
    assert rule.startswith("ok : toute la commune est à 15 km ou plus")
    table = read_posts(out)
    assert table.thresholds == {"essai-15km": 15.0}
    (post,) = posts_payload(table)
    assert post["radius"] == 15000.0 and post["sites"][0]["label"].endswith("prime : oui")
