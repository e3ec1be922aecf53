"""The 20 km rule in a batch when a side is known by its commune only (issue 23, defect 7).

Expected ranges are computed here from the raw 2018 commune polygons and the Eurostat
hospital coordinates with pyproj.Geod, without the tool's code; the communes used are
unchanged since 2018 (the store's COG 2022 polygons are the same).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod

from zoning.locate.finess import FinessLocator
from zoning.report.service import run_batch

GEOD = Geod(ellps="WGS84")
GUERET_CH = (1.87113, 46.16497)  # FINESS 230000820 in the Eurostat extract
PROGRAMME = "ars-specialistes-60pc-2025"  # premium at 20 km (data/programmes)
THRESHOLD_M = 20_000  # that file's min_distance_km, asserted below


def _raw(sources: Path, code: str) -> Any:
    from shapely.geometry import shape

    (path,) = (sources / "communes_france_geojson_2018").glob(f"communes-{code[:2]}-*.geojson")
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["code"] == code:
            return shape(feature["geometry"])
    raise KeyError(code)


def _vertices(area: Any, step_deg: float) -> np.ndarray:
    import shapely

    return shapely.get_coordinates(shapely.segmentize(area.boundary, step_deg))


def point_range(point: tuple[float, float], area: Any) -> tuple[float, float]:
    """Geodesics to the boundary every ~10 m: the true shortest is at most 5 m less."""
    xy = _vertices(area, 0.0001)
    _, _, dist = GEOD.inv([point[0]] * len(xy), [point[1]] * len(xy), xy[:, 0], xy[:, 1])
    return float(dist.min()), float(dist.max())


def area_range(a: Any, b: Any) -> tuple[float, float]:
    """Every pair of boundary vertices every ~40 m: the true shortest is at most 40 m less."""
    fa, fb = _vertices(a, 0.0005), _vertices(b, 0.0005)
    ia = np.repeat(np.arange(len(fa)), len(fb))
    ib = np.tile(np.arange(len(fb)), len(fa))
    _, _, dist = GEOD.inv(fa[ia, 0], fa[ia, 1], fb[ib, 0], fb[ib, 1])
    return float(dist.min()), float(dist.max())


HEADER = (
    "Identifiant;FINESS établissement;Établissement code INSEE;Demi-journées hôpital;"
    "Site code INSEE;Site longitude;Site latitude;Date de début"
)
# ref -> (hospital FINESS, hospital commune, site commune, site point)
ROWS = {
    "FAR": ("230000820", "", "23008", ""),  # CH de Guéret -> Aubusson, wholly beyond 20 km
    "NEAR": ("230000820", "", "23193", ""),  # -> Sainte-Feyre, wholly under 20 km
    "SPAN": ("230000820", "", "23025", ""),  # -> Bonnat: straddles 20 km
    "HOSP": ("", "23096", "", "2.168300;45.956300"),  # hospital by commune, site by point
    "BOTH": ("", "23096", "23008", ""),  # both by commune only
}


@pytest.fixture(scope="module")
def results(
    store: Any, finess_locator: FinessLocator, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("communes")
    src = folder / "candidats.csv"
    lines = [HEADER]
    for ref, (finess, hosp_code, site_code, point) in ROWS.items():
        lon, lat = point.split(";") if point else ("", "")
        lines.append(f"{ref};{finess};{hosp_code};4;{site_code};{lon};{lat};01/11/2025")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "resultats.csv"
    run = run_batch(src, PROGRAMME, out, store, finess=finess_locator, progress=False)
    assert run.programme.premium is not None
    assert run.programme.premium.min_distance_km * 1000 == THRESHOLD_M
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return {r["Identifiant"]: r for r in csv.DictReader(handle, delimiter=";")}


def _expected(sources: Path, ref: str) -> tuple[float, float]:
    _, hosp_code, site_code, point = ROWS[ref]
    if hosp_code and site_code:
        return area_range(_raw(sources, hosp_code), _raw(sources, site_code))
    if hosp_code:
        lon, lat = (float(v) for v in point.split(";"))
        return point_range((lon, lat), _raw(sources, hosp_code))
    return point_range(GUERET_CH, _raw(sources, site_code))


@pytest.mark.parametrize("ref", list(ROWS))
def test_range_and_verdict_from_the_raw_polygons(
    results: dict[str, dict[str, str]], sources_dir: Path, ref: str
) -> None:
    row = results[ref]
    low, high = _expected(sources_dir, ref)
    slack = 45 if ROWS[ref][1] and ROWS[ref][2] else 6
    near, far = float(row["distance_km_site1"]) * 1000, float(row["distance_max_km_site1"]) * 1000
    assert low - slack - 1 <= near <= low + 1, (ref, near, low)
    assert far == pytest.approx(high, abs=2.0), (ref, far, high)
    rule, premium = row["regle_20km_site1"], row["prime_motif"]
    assert row["prime_verdict"], "the premium column is never empty"
    if low - slack >= THRESHOLD_M:
        assert rule.startswith("ok : ")
        assert "à 20 km ou plus à vol d'oiseau" in rule
    else:
        # Under 20 km in a straight line settles nothing: a road can be longer.
        assert rule.startswith("à vérifier : ")
        assert row["prime_verdict"] == "à vérifier"
        assert "adresse" in rule and "ZONING_OSRM_URL" in rule
    span = rule[rule.index("entre ") :].split(" à vol d'oiseau")[0]
    assert span in premium, "the premium column says the same range"
    if high < THRESHOLD_M:
        assert "la route peut être plus longue" in rule


def test_cases_cover_every_verdict(results: dict[str, dict[str, str]]) -> None:
    verdicts = {ref: r["regle_20km_site1"].split(" : ")[0] for ref, r in results.items()}
    assert verdicts["FAR"] == "ok" and verdicts["NEAR"] == "à vérifier"
    assert "de part et d'autre de 20 km" in results["SPAN"]["regle_20km_site1"]


def test_commune_nouvelle_measured_over_all_its_communes(
    tmp_path: Path, store: Any, sources_dir: Path
) -> None:
    """Les Trois-Saints (19248, 2025) covers 19223, 19230 and 19248 of COG 2022: its
    straight-line range is measured to the three together, not to the one whose code it
    kept (that gave a shortest distance too long, which could have read « oui »)."""
    from shapely.ops import unary_union

    members = unary_union([_raw(sources_dir, c) for c in ("19223", "19230", "19248")])
    hospital = (1.29431, 45.41495)  # 15 km west of 19223, on the far side from 19248
    to_all = _shortest_km(hospital, members)
    to_kept = _shortest_km(hospital, _raw(sources_dir, "19248"))
    assert to_kept - to_all > 5  # the case tells the two apart
    src = tmp_path / "trois-saints.csv"
    src.write_text(
        "N° dossier;Longitude hôpital;Latitude hôpital;Demi-journées hôpital;"
        "Commune du cabinet;Code INSEE du cabinet;Date de début\n"
        f"T1;{hospital[0]};{hospital[1]};5;Les Trois-Saints;19248;01/11/2025\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    run_batch(src, PROGRAMME, out, store, progress=False)
    with out.open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f, delimiter=";"))
    text = row["regle_20km_site1"]
    shortest = float(text.split("entre ", 1)[1].split(" km", 1)[0].replace(",", "."))
    assert abs(shortest - to_all) < 0.3, text


def _shortest_km(point: tuple[float, float], area: Any) -> float:
    import shapely

    ring = shapely.segmentize(area.boundary, 0.0002)
    xy = shapely.get_coordinates(ring)
    n = len(xy)
    distances = GEOD.inv([point[0]] * n, [point[1]] * n, xy[:, 0], xy[:, 1])[2]
    return float(np.min(distances)) / 1000
