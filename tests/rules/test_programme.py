"""Programme rules files: every shipped file loads, figures match the source texts,
and a broken file is refused with a French message naming the file and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zoning.errors import NotFoundError, ProgrammeFileError
from zoning.rules.programme import (
    list_programmes,
    load_programme,
    load_programme_file,
)

PROGRAMMES = Path(__file__).resolve().parents[2] / "data" / "programmes"


def test_every_programme_file_loads() -> None:
    ids = list_programmes(PROGRAMMES)
    assert set(ids) >= {
        "na-mg-2023",
        "cvl-assistants-partages",
        "ars-specialistes-60pc-2025",
        "aumg-2025",
        "mg-salaries-volet2",
    }
    for pid in ids:
        assert load_programme(pid, PROGRAMMES).id == pid


def test_na_2023_figures_are_those_of_the_specification() -> None:
    # seeds/000: 4, 5 or 6 half-days; 60 % 3 756,50 € ... ; Ordre by 1 November 2023.
    na = load_programme("na-mg-2023", PROGRAMMES)
    assert na.hospital_half_days == (4.0, 5.0, 6.0)
    assert dict(na.funding.monthly_by_half_days) == {6.0: 3756.50, 5.0: 3130.42, 4.0: 2504.33}
    assert na.ordre_registration_by == dt.date(2023, 11, 1)
    assert na.duration_months == (24,) and na.derogation_months == (12,)
    assert na.application_deadline == dt.date(2023, 4, 30)
    assert na.start_months == ("2023-11", "2024-05", "2024-11")
    assert na.region == "75" and na.zones == {"ZIP", "ZAC"} and na.qpv
    assert na.premium is None


def test_cvl_premium_table_and_threshold() -> None:
    cvl = load_programme("cvl-assistants-partages", PROGRAMMES)
    assert cvl.premium is not None
    assert cvl.premium.min_distance_km == 20.0
    assert sorted({t.amount for t in cvl.premium.tiers}) == [250, 450, 700, 1000]
    assert cvl.funding.monthly_amount == 3772.16
    assert set(cvl.premium.derogations) == {
        "entites_juridiques_differentes",
        "unite_sanitaire_penitentiaire",
    }


def test_unknown_programme_lists_known_ones() -> None:
    with pytest.raises(NotFoundError, match="na-mg-2023"):
        load_programme("na-mg-2099", PROGRAMMES)


def _broken(tmp_path: Path, old: str, new: str, name: str = "na-mg-2023") -> Path:
    text = (PROGRAMMES / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('"6" = 3756.50', '"6" = "beaucoup"', "funding.monthly.6"),
        (
            "ordre_registration_by = 2023-11-01",
            'ordre_registration_by = "1er novembre"',
            "candidate.ordre_registration_by",
        ),
        ('kind = "by_hospital_half_days"', 'kind = "forfait"', "funding.kind"),
        (
            "hospital_half_days = [4, 5, 6]",
            "hospital_half_days = []",
            "time_split.hospital_half_days",
        ),
        (
            'start_months = ["2023-11", "2024-05", "2024-11"]',
            'start_months = ["novembre"]',
            "calendar.start_months",
        ),
        ('id = "na-mg-2023"', 'id = "autre"', "id"),
    ],
)
def test_broken_file_names_file_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ProgrammeFileError) as info:
        load_programme_file(path)
    message = str(info.value)
    assert "na-mg-2023.toml" in message
    assert f"« {field} »" in message


def test_broken_premium_tier_names_the_tier(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "{ amount = 700, min = 3, max = 4 }",
        "{ amount = 700, min = 3, max = 2 }",
        "cvl-assistants-partages",
    )
    with pytest.raises(ProgrammeFileError, match=r"« premium\.tiers\[3\]\.max »"):
        load_programme_file(path)


def test_unreadable_toml(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("id = [", encoding="utf-8")
    with pytest.raises(ProgrammeFileError, match=r"x\.toml : TOML illisible"):
        load_programme_file(path)
