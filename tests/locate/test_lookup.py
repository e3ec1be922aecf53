"""Lookups by commune code, postal code + name and point, with their errors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from zoning.errors import (
    InvalidInputError,
    NotFoundError,
    OutsideCoverageError,
    ZoningError,
)
from zoning.locate import lookup
from zoning.locate.placement import Placement
from zoning.store import ZoningStore


def test_commune_code(fixture_store: ZoningStore) -> None:
    p = lookup.by_commune(fixture_store, "23096")
    assert (p.commune_name, p.zone, p.under_served) == ("Guéret", "ZIP", True)
    assert "25 avril 2022" in p.sentence()


def test_old_2018_code_of_a_merged_commune_is_mapped_and_says_so(
    fixture_store: ZoningStore,
) -> None:
    p = lookup.by_commune(fixture_store, "23121")  # Malval, merged into Linard-Malval in 2019
    assert p.commune_code == "23109"
    assert any("ancien code 23121" in n for n in p.notes)


def test_code_that_lost_its_leading_zero(store: ZoningStore) -> None:
    assert lookup.by_commune(store, "1004").commune_code == "01004"


def test_date_outside_the_decree(fixture_store: ZoningStore) -> None:
    assert lookup.by_commune(fixture_store, "23096", date(2023, 11, 1)).zone == "ZIP"
    with pytest.raises(OutsideCoverageError, match="25/04/2025"):
        lookup.by_commune(fixture_store, "23096", date(2022, 1, 1))  # before the first decree
    # After its stated end, before any successor applies: its classes, flagged.
    expired = lookup.by_commune(fixture_store, "23096", date(2026, 1, 1))
    assert expired.zone == "ZIP" and expired.decree_status == "échu"
    assert "échu le 25/04/2025" in expired.decree_caveat and expired.to_verify


def test_unknown_and_malformed_codes(fixture_store: ZoningStore) -> None:
    with pytest.raises(NotFoundError):
        lookup.by_commune(fixture_store, "99999")
    with pytest.raises(InvalidInputError):
        lookup.by_commune(fixture_store, "ABCDE")


@pytest.mark.parametrize(
    ("postcode", "name", "code"),
    [
        ("23000", "Guéret", "23096"),
        ("23000", "GUERET", "23096"),
        ("33000", "bordeaux", "33063"),
        ("16190", "Bors", "16052"),  # unique prefix of « Bors (Canton de Tude-et-Lavalette) »
        ("40180", "St Pandelon", "40277"),
    ],
)
def test_postcode_and_name(store: ZoningStore, postcode: str, name: str, code: str) -> None:
    assert lookup.by_postcode_name(store, postcode, name).commune_code == code


def test_postcode_and_wrong_name_lists_the_choices(fixture_store: ZoningStore) -> None:
    with pytest.raises(NotFoundError, match="Guéret"):
        lookup.by_postcode_name(fixture_store, "23000", "Limoges")


def test_point_inside(fixture_store: ZoningStore) -> None:
    p = lookup.by_point(fixture_store, 1.87113, 46.16497)  # CH de Guéret (FINESS coordinates)
    assert (p.commune_code, p.zone) == ("23096", "ZIP")


def test_point_in_the_sea_and_malformed(fixture_store: ZoningStore) -> None:
    with pytest.raises(OutsideCoverageError):
        lookup.by_point(fixture_store, -5.0, 46.0)
    with pytest.raises(InvalidInputError):
        lookup.by_point(fixture_store, 200.0, 3.0)
    with pytest.raises(InvalidInputError):
        lookup.by_point(fixture_store, float("nan"), 45.0)


def test_points_near_a_border_follow_the_polygons(store: ZoningStore) -> None:
    import shapely

    gdf = store.communes_gdf("75").set_index("code")
    bordeaux, talence = gdf.loc["33063"].geometry, gdf.loc["33522"].geometry
    border = shapely.line_merge(bordeaux.boundary.intersection(talence.boundary))
    assert not border.is_empty  # Bordeaux and Talence share a border
    mid = shapely.line_interpolate_point(shapely.get_geometry(border, 0), 0.5, normalized=True)
    for code, geom in (("33063", bordeaux), ("33522", talence)):
        # a point within ~6 m of the border, on each side
        near = shapely.intersection(geom, mid.buffer(0.00006)).representative_point()
        assert lookup.by_point(store, near.x, near.y).commune_code == code
    on_border = lookup.assign_points(store, np.array([mid.x]), np.array([mid.y]))
    assert on_border["commune"][0] == "33063"  # covered by both: the lowest code


def test_qpv_polygon_hit_and_miss(fixture_store: ZoningStore) -> None:
    qpv = fixture_store.qpv_polygons().set_index("code_qp")
    inside = qpv.loc["QP031010"].geometry.representative_point()  # Empalot, Toulouse
    p = lookup.by_point(fixture_store, inside.x, inside.y)
    assert p.qpv == ["QP031010"]
    assert p.under_served is True
    outside = lookup.by_point(fixture_store, 1.4442, 43.6045)  # Capitole, Toulouse centre
    assert outside.qpv == []


def test_commune_with_qpv_but_no_perimeter_is_to_be_checked(fixture_store: ZoningStore) -> None:
    p = lookup.by_commune(fixture_store, "87085")  # Limoges: HZ, 9 QPV 2024
    assert p.zone == "HZ"
    assert p.under_served is None
    assert len(p.qpv_in_commune) == 9


def test_assign_points_keeps_order_and_length(fixture_store: ZoningStore) -> None:
    lon = np.array([1.87113, -5.0, 1.2328])
    lat = np.array([46.16497, 46.0, 45.8141])
    out = lookup.assign_points(fixture_store, lon, lat)
    assert list(out["commune"]) == ["23096", None, "87085"]


def test_bulk_placements_equal_one_by_one(store: ZoningStore) -> None:
    """``by_communes`` (the batch's bulk queries) answers exactly what ``by_commune`` does,
    for communes of every region, old and delegated codes, unknown codes, and dates
    with and without a decree in force."""
    every = list(store.communes(["code"])["code"])
    codes = [*every[:: max(1, len(every) // 400)], "23096", "87085", "23121", "99999"]
    for on in (None, date(2023, 11, 1), date(2019, 1, 1), date(2026, 1, 1)):
        bulk = lookup.by_communes(store, codes, on)
        assert sorted(bulk) == sorted(set(codes))
        for code in set(codes):
            try:
                one: object = lookup.by_commune(store, code, on)
            except ZoningError as exc:
                one = exc
            got = bulk[code]
            if isinstance(one, ZoningError):
                assert type(got) is type(one) and str(got) == str(one)
            else:
                assert isinstance(got, Placement) and got == one
