"""Criteria of one post, on real places from the store built from the real files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from zoning.locate.site import SiteInput
from zoning.locate.sites import SiteLocator, locate_sites
from zoning.reasons import Reason
from zoning.rules.batch import evaluate_posts, qpv_polygon_communes
from zoning.rules.criteria import (
    check_application,
    check_duration,
    check_ordre,
    check_start,
    check_time_split,
    check_zone,
)
from zoning.rules.post import Post
from zoning.rules.programme import load_programme
from zoning.rules.verdicts import CHECK, ELIGIBLE, INVALID, NO, NOT_ELIGIBLE, OK

PROGRAMMES = Path(__file__).resolve().parents[2] / "data" / "programmes"
NA = load_programme("na-mg-2023", PROGRAMMES)
CVL = load_programme("cvl-assistants-partages", PROGRAMMES)
SPE60 = load_programme("ars-specialistes-60pc-2025", PROGRAMMES)
START = dt.date(2023, 11, 1)


@pytest.mark.parametrize(("day", "verdict"), [(1, OK), (2, NO)])
def test_ordre_registration_first_vs_second_november(day: int, verdict: str) -> None:
    assert check_ordre(NA, dt.date(2023, 11, day)).verdict == verdict
    assert check_ordre(NA, None).verdict == CHECK


@pytest.mark.parametrize(
    ("half_days", "verdict"), [(4, OK), (5, OK), (6, OK), (3, NO), (7, NO), (11, INVALID)]
)
def test_na_time_split(half_days: float, verdict: str) -> None:
    assert check_time_split(NA, half_days).verdict == verdict


def test_cvl_other_split_needs_motivation() -> None:
    assert check_time_split(CVL, 5).verdict == OK
    assert check_time_split(CVL, 4).verdict == CHECK
    assert check_time_split(CVL, 4, motivated=True).verdict == OK


def test_duration_derogation_is_explicit() -> None:
    assert check_duration(NA, 24).verdict == OK
    assert check_duration(NA, 12).verdict == CHECK
    assert check_duration(NA, 12, derogation=True).verdict == OK
    assert check_duration(NA, 18, derogation=True).verdict == NO
    assert check_duration(CVL, 12).verdict == OK  # « une seule année ... également possible »


def test_application_deadline_30_april_2023() -> None:
    assert check_application(NA, dt.date(2023, 4, 30)).verdict == OK  # type: ignore[union-attr]
    assert check_application(NA, dt.date(2023, 5, 1)).verdict == NO  # type: ignore[union-attr]
    assert check_application(NA, None) is None


def test_start_months() -> None:
    assert check_start(NA, dt.date(2024, 5, 1)).verdict == OK
    assert check_start(NA, dt.date(2024, 9, 1)).verdict == NO


def _zone(store: Any, programme: Any, site: SiteInput, on: dt.date = START) -> Any:
    located = locate_sites(store, [site], [on])[0]
    return check_zone(programme, located, 1, qpv_polygon_communes(store)), located


@pytest.mark.parametrize(
    ("code", "zone", "verdict"),
    [("23096", "ZIP", OK), ("23008", "ZAC", OK), ("87114", "HZ", NO)],
)
def test_na_zone_by_commune(fixture_store: Any, code: str, zone: str, verdict: str) -> None:
    check, located = _zone(fixture_store, NA, SiteInput(commune=code))
    assert located.placement.zone == zone
    assert check.verdict == verdict
    assert "25 avril 2022" in check.reason or verdict == NO


def test_hz_commune_with_qpv_without_perimeters_is_to_check(fixture_store: Any) -> None:
    # Limoges is HZ and lists 9 QPV; the store has no NA QPV perimeters.
    check, _ = _zone(fixture_store, NA, SiteInput(commune="87085"))
    assert check.verdict == CHECK and "QPV" in check.reason


def test_merged_commune_old_2018_code(fixture_store: Any) -> None:
    # 23126 Masbaraud-Mérignat merged into Saint-Dizier-Masbaraud (23189) on 2019-01-01.
    check, located = _zone(fixture_store, NA, SiteInput(commune="23126"))
    assert located.placement.commune_code == "23189"
    assert check.verdict == OK
    assert any("23126" in n for n in located.notes)


def test_site_inside_a_qpv_polygon(fixture_store: Any) -> None:
    polygons = fixture_store.qpv_polygons()
    empalot = polygons.loc[polygons["code_qp"] == "QP031010"].iloc[0]
    point = empalot.geometry.representative_point()
    on = dt.date(2025, 11, 1)
    inside, located = _zone(fixture_store, SPE60, SiteInput(lon=point.x, lat=point.y), on)
    assert located.placement.commune_code == "31555"
    assert located.placement.zone not in ("ZIP", "ZAC")
    assert inside.verdict == OK and "QP031010" in inside.reason
    # A point of the same commune outside every QPV polygon is not under-served.
    outside, placed = _zone(fixture_store, SPE60, SiteInput(lon=1.4147, lat=43.6445), on)
    assert placed.placement.commune_code == "31555" and not placed.placement.qpv
    assert outside.verdict == NO


def test_unknown_or_malformed_commune_code_is_invalid_data(fixture_store: Any) -> None:
    for code in ("23999", "ABCDE"):
        check, located = _zone(fixture_store, NA, SiteInput(commune=code))
        assert check.verdict == INVALID and located.invalid, code


def test_site_by_postcode_and_name(fixture_store: Any) -> None:
    check, located = _zone(fixture_store, NA, SiteInput(postcode="23000", city="Guéret"))
    assert check.verdict == OK and located.placement.commune_code == "23096"
    check, _ = _zone(fixture_store, NA, SiteInput(postcode="23000", city="Nulle-Part"))
    assert check.verdict == INVALID and "23000" in check.reason


def test_address_only_site(fixture_store: Any) -> None:
    site = SiteInput(address="1 avenue Marc Aubrun 23000 Guéret")
    check, _ = _zone(fixture_store, NA, site)
    assert check.verdict == CHECK and "--geocode" in check.reason
    # with a geocoder (here a stand-in returning the CH de Guéret's FINESS point)
    located = locate_sites(
        fixture_store, [site], [START], geocoder=lambda s: (1.87113, 46.16497, "adresse (numéro)")
    )[0]
    assert located.placement.commune_code == "23096"
    assert located.precision == "adresse (numéro)"


def test_site_outside_the_programme_region(fixture_store: Any) -> None:
    check, _ = _zone(fixture_store, NA, SiteInput(commune="31555"))
    assert check.verdict == NO and "hors de la région" in check.reason


def test_no_decree_in_force_on_start_date(fixture_store: Any) -> None:
    check, _ = _zone(fixture_store, NA, SiteInput(commune="23096"), dt.date(2022, 1, 1))
    assert check.verdict == CHECK and "aucun arrêté" in check.reason
    # Past the decree's stated end: its class, but for the instructor to decide.
    check, _ = _zone(fixture_store, NA, SiteInput(commune="23096"), dt.date(2026, 1, 1))
    assert check.verdict == CHECK and "échu le 25/04/2025" in check.reason


def test_cvl_post_premium_end_to_end(fixture_store: Any) -> None:
    # CHR Orléans area is not in the hospital extract used here: use real commune points.
    tours = (0.6892, 47.3900)  # Tours
    site = SiteInput(lon=0.9833, lat=47.4128, kind="MSP", half_days=5)  # Amboise area
    post = Post(
        rpps="10000000001",
        specialty="cardiologie",
        hospital=SiteInput(lon=tours[0], lat=tours[1]),
        establishment_type="CHU",
        hospital_half_days=5,
        sites=(site,),
        start=dt.date(2024, 11, 1),
        months=24,
    )
    (result,) = evaluate_posts(fixture_store, CVL, [post], progress=False)
    assert result is not None
    assert result.distances[0] is not None and result.distances[0].verdict == OK
    assert result.premium is not None and result.premium.amount == 1000  # > 4 half-days
    assert result.funding.monthly == 3772.16


def test_cvl_premium_with_site_known_by_commune(fixture_store: Any) -> None:
    # CH de Guéret (real FINESS coordinates) + MSP somewhere in Aubusson (23008).
    base = Post(
        rpps="10000000001",
        specialty="pneumologie",
        establishment_type="CH",
        hospital=SiteInput(lon=1.87113, lat=46.16497),
        hospital_half_days=6,
        start=dt.date(2024, 11, 1),
        months=24,
    )
    far = dataclasses.replace(base, sites=(SiteInput(commune="23008", kind="MSP", half_days=4),))
    near = dataclasses.replace(base, sites=(SiteInput(commune="23193", kind="MSP", half_days=4),))
    derog = dataclasses.replace(near, premium_derogation="entites_juridiques_differentes")
    res_far, res_near, res_derog = evaluate_posts(
        fixture_store, CVL, [far, near, derog], progress=False
    )
    assert res_far is not None and res_far.premium is not None
    assert res_far.premium.amount == 700  # 4 half-days on one site
    assert res_near is not None and res_near.premium is not None
    assert res_near.premium.verdict == CHECK and res_near.premium.amount_if_confirmed == 700
    assert res_derog is not None and res_derog.premium is not None
    assert res_derog.premium.amount == 700
    assert res_derog.distances[0] is not None
    assert "dérogation" in res_derog.distances[0].reason


def test_geocoded_at_the_commune_is_the_commune_not_its_centre(fixture_store: Any) -> None:
    """An address the geocoder placed only at its commune (addok « municipality »)
    gives the commune's centre: the 20 km rule then uses the whole commune (a range),
    never that centre as if it were the site."""
    from zoning.locate.site import PRECISION_COMMUNE

    centre = fixture_store.keyed.reference_point("23193")  # Sainte-Feyre, next to Guéret

    def standin_geocoder(site: SiteInput) -> tuple[float, float, str]:
        """Stand-in for addok's answer at commune level (tests only)."""
        return centre[0], centre[1], PRECISION_COMMUNE

    post = Post(
        hospital=SiteInput(lon=1.87113, lat=46.16497),
        hospital_half_days=6,
        sites=(SiteInput(address="lieu-dit inconnu", commune="23193", kind="MSP", half_days=4),),
        start=dt.date(2024, 11, 1),
    )
    locator = SiteLocator(fixture_store, geocoder=standin_geocoder)
    (result,) = evaluate_posts(fixture_store, CVL, [post], locator, progress=False)
    assert result is not None and result.sites[0].precision == PRECISION_COMMUNE
    distance = result.distances[0]
    assert distance is not None and distance.farthest_km is not None
    assert distance.verdict == CHECK and "Sainte-Feyre (23193)" in distance.reason


def test_programme_without_premium_reports_distances_only(fixture_store: Any) -> None:
    """na-mg-2023 has no premium: no threshold is made up; the distance is reported."""
    post = Post(
        hospital=SiteInput(lon=1.87113, lat=46.16497),
        sites=(SiteInput(commune="23008"), SiteInput(lon=1.90, lat=46.17)),
        start=START,
    )
    (result,) = evaluate_posts(fixture_store, NA, [post], progress=False)
    assert result is not None and result.premium is None
    commune, point = result.distances
    assert commune is not None and commune.verdict is None and commune.farthest_km is not None
    assert point is not None and point.verdict is None and point.farthest_km is None
    assert "sans objet" in commune.reason and "20 km" not in commune.reason + point.reason


def test_na_post_status_and_reasons(fixture_store: Any) -> None:
    good = Post(
        rpps="10000000001",
        ordre_date=dt.date(2023, 9, 1),
        specialty="MG",
        hospital=SiteInput(lon=1.87113, lat=46.16497),
        establishment_type="CH",
        hospital_half_days=5,
        sites=(SiteInput(commune="23008", kind="MSP"),),
        start=START,
        months=24,
    )
    bad = Post(**{**good.__dict__, "ordre_date": dt.date(2023, 11, 2)})
    results = evaluate_posts(fixture_store, NA, [good, None, bad], progress=False)
    assert results[0] is not None and results[0].status == ELIGIBLE
    assert results[0].funding.monthly == 3130.42
    assert results[1] is None
    assert results[2] is not None and results[2].status == NOT_ELIGIBLE
    assert results[2].reasons() == [
        Reason(
            "ORDRE-INSCRIPTION-TARDIVE",
            "inscription à l'Ordre : inscrit le 02/11/2023, après le 01/11/2023",
        )
    ]
