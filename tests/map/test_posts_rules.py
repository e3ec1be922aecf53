"""The posts map reads the rules: the batch's names, distances and verdicts, and the
programme's premium threshold; it computes no rule of its own."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zoning.cli import cli
from zoning.map.posts.columns import (
    RESULT_FIELDS,
    RESULT_MAIN_NAME,
    RESULT_SITE_FIELDS,
    name_columns,
)
from zoning.map.posts.layer import posts_payload
from zoning.map.posts.read import read_posts
from zoning.report.schema import result_headers

REPO = Path(__file__).resolve().parents[2]
PROGRAMME = "ars-specialistes-60pc-2025"  # premium from 20 km
GUERET = (1.87113, 46.16497)  # CH de Guéret (FINESS 230000820), Eurostat coordinates


def _sites_at(kms: tuple[float, ...]) -> list[tuple[float, float]]:
    """Points ``kms`` km from the CH de Guéret along the WGS84 geodesic (Geod.fwd)."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return [geod.fwd(*GUERET, 200.0, km * 1000)[:2] for km in kms]


def _batch(
    store: Any, folder: Path, rows: list[str], output: str = "resultats.csv", **options: Any
) -> Any:
    """Run the real batch on candidates of the CH de Guéret: ``rows`` are
    ``reference;lon;lat;commune`` (a site by its coordinates or its commune)."""
    from zoning.locate.finess import default_finess_locator
    from zoning.report.service import run_batch

    src = folder / "candidats.csv"
    cells = []
    for row in rows:
        ref, lon, lat, insee = row.split(";")
        cells.append(f"{ref};230000820;4;{lon};{lat};{insee};01/11/2025")
    src.write_text(
        "Identifiant;FINESS établissement;Demi-journées hôpital;Site longitude;Site latitude;"
        "Site code INSEE;Date de début\n" + "\n".join(cells) + "\n",
        encoding="utf-8",
    )
    finess = default_finess_locator(store.sources_dir())
    programme = options.pop("programme", PROGRAMME)
    return run_batch(
        src, programme, folder / output, store, finess=finess, progress=False, **options
    )


def _at(refs: tuple[str, ...], kms: tuple[float, ...]) -> list[str]:
    return [
        f"{ref};{lon:.7f};{lat:.7f};" for ref, (lon, lat) in zip(refs, _sites_at(kms), strict=True)
    ]


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {r["Identifiant"]: r for r in csv.DictReader(handle, delimiter=";")}


@pytest.fixture(scope="module")
def near_threshold(store: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real batch on two posts, 19,99 km and 20,01 km from their hospital."""
    run = _batch(store, tmp_path_factory.mktemp("near"), _at(("P1", "P2"), (19.99, 20.01)))
    return Path(run.output)


def test_label_and_row_agree_at_the_threshold(near_threshold: Path) -> None:
    rows = _rows(near_threshold)
    assert rows["P1"]["regle_20km_site1"].startswith("à vérifier")
    assert rows["P2"]["regle_20km_site1"].startswith("ok")
    table = read_posts(near_threshold)
    assert table.thresholds == {PROGRAMME: 20.0}
    labels = {p["id"]: p["sites"][0]["label"] for p in posts_payload(table)}
    assert labels == {"P1": "19,9 km · à vérifier", "P2": "20,0 km · prime : oui"}
    for ref, label in labels.items():
        # The same figure as the row's own text (no « 20,0 km » beside « < 20 km »).
        assert f"{label.split(' · ')[0]} à vol d'oiseau" in rows[ref]["regle_20km_site1"]


def test_hand_made_file_gets_the_rules_geodesic_and_the_given_programme(
    near_threshold: Path, tmp_path: Path
) -> None:
    """The same posts in a file made by hand (no distance, no programme): the straight
    line is the rules' WGS84 geodesic (the batch's figure, marked « ≈ »), the circle the
    threshold of the programme given, and the legend says where that threshold comes from."""
    path = tmp_path / "postes.csv"
    lines = [
        f"{ref};{GUERET[0]};{GUERET[1]};{lon:.7f};{lat:.7f}"
        for ref, (lon, lat) in zip(("P1", "P2"), _sites_at((19.99, 20.01)), strict=True)
    ]
    path.write_text(
        "id;site_principal_lon;site_principal_lat;site_lon;site_lat\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    table = read_posts(path, PROGRAMME)
    assert table.thresholds == {PROGRAMME: 20.0}
    assert any(PROGRAMME in n and "indiqué" in n for n in table.notes)
    posts = {p["id"]: p for p in posts_payload(table)}
    assert posts["P1"]["sites"][0]["label"] == "≈ 19,9 km"
    assert posts["P2"]["sites"][0]["label"] == "≈ 20,0 km"
    assert posts["P1"]["programme"] == PROGRAMME and posts["P1"]["radius"] == 20000.0

    out = tmp_path / "postes.html"
    args = ["map", "posts", str(path), "-p", PROGRAMME, "--no-coverage", "--no-figures"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"programme {PROGRAMME} : indiqué pour la carte" in result.output
    page = out.read_text(encoding="utf-8")
    assert f"20 km autour du site principal (prime, {PROGRAMME})" in page


def test_unknown_programme_draws_no_threshold_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "postes.csv"
    path.write_text(
        "id;programme;site_principal_lon;site_principal_lat;site_lon;site_lat\n"
        "U1;mon-dispositif;1.87113;46.16497;2.1683;45.9563\n",
        encoding="utf-8",
    )
    table = read_posts(path)
    assert table.thresholds == {"mon-dispositif": None}
    assert table.notes == ["programme « mon-dispositif » inconnu : pas de seuil de prime dessiné"]
    assert read_posts(path, PROGRAMME).thresholds == {"mon-dispositif": 20.0}


def test_the_map_reads_the_batch_by_its_schema_names() -> None:
    """Every result column the map reads is one the batch writes (zoning.report.schema)."""
    written = set(result_headers(2))
    assert set(RESULT_FIELDS) | {RESULT_MAIN_NAME} <= written
    assert {f"{base}{k}" for base in RESULT_SITE_FIELDS for k in (1, 2)} <= written


def test_batch_columns_win_over_the_input_s() -> None:
    """An input column named like a field (« Statut » of the applicant's file) never
    shadows the batch's own result; the input still names the post and the hospital."""
    naming = name_columns(["Référence", "Statut", "Hôpital", "Site longitude", *result_headers(2)])
    assert naming.single["status"] == "statut"
    assert naming.single["post_id"] == "Référence"
    assert naming.single["main_name"] == "Hôpital"
    assert naming.sites[2]["site_lon"] == "lon_site2"
    assert "site_lon" not in naming.single


def test_commune_range_and_threshold_margin(store: Any, tmp_path: Path) -> None:
    """Sites 19,96 km and 20,04 km from the CH de Guéret and one known by its commune only
    (Aubusson): the map's label carries the batch's own distance text and verdict (never
    « 20,0 km » beside « à vérifier »), and its circle is the threshold the batch recorded."""
    run = _batch(store, tmp_path, [*_at(("P1", "P2"), (19.96, 20.04)), "P3;;;23008"])
    rows = _rows(Path(run.output))
    assert rows["P1"]["regle_20km_site1"].startswith("à vérifier")
    assert rows["P2"]["regle_20km_site1"].startswith("ok")
    assert rows["P3"]["regle_20km_site1"].startswith("ok : toute la commune est à 20 km ou plus")
    table = read_posts(run.output)
    assert table.thresholds == {PROGRAMME: 20.0}
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
    rules = tmp_path / "programmes"
    rules.mkdir()
    text = (REPO / "data" / "programmes" / f"{PROGRAMME}.toml").read_text("utf-8")
    text = re.sub(r'(?m)^id = ".*"$', 'id = "essai-15km"', text)
    text = re.sub(r"(?m)^min_distance_km = .*$", "min_distance_km = 15.0", text)
    (rules / "essai-15km.toml").write_text(text, encoding="utf-8")
    # CH de Guéret -> Aubusson, known by its commune only (30 to 36 km).
    run = _batch(
        store,
        tmp_path,
        ["Q1;;;23008"],
        "resultats.xlsx",
        programme="essai-15km",
        programmes_folder=rules,
    )
    rule = run.table[0][run.headers.index("regle_20km_site1")]
    assert rule.startswith("ok : toute la commune est à 15 km ou plus")
    table = read_posts(run.output)
    assert table.thresholds == {"essai-15km": 15.0}
    (post,) = posts_payload(table)
    assert post["radius"] == 15000.0 and post["sites"][0]["label"].endswith("prime : oui")
