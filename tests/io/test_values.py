"""French values as people write them (issue 23, defect 3): a grammar of variants.

The expected value of each variant is the date (or number) it was written from, not
what the parser says: every variant is rendered from a known date.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from zoning.io.values import parse_date, read_date, to_date, to_half_days, to_months
from zoning.reasons import Reason
from zoning.report.rows import post_from_cells

# Written apart from the parser's tables: how French people abbreviate months.
MONTH_SPELLINGS = {
    1: ("janvier", "janv.", "Janv", "JANVIER"),
    2: ("février", "févr.", "fevrier", "fév."),
    3: ("mars", "MARS"),
    4: ("avril", "avr."),
    5: ("mai",),
    6: ("juin",),
    7: ("juillet", "juil."),
    8: ("août", "aout"),
    9: ("septembre", "sept."),
    10: ("octobre", "oct."),
    11: ("novembre", "nov.", "Nov", "NOVEMBRE"),
    12: ("décembre", "déc.", "dec."),
}
DAYS = (dt.date(2024, 11, 1), dt.date(2023, 12, 15), dt.date(2025, 2, 4), dt.date(2024, 1, 31))


def figures(day: dt.date) -> list[str]:
    """Every figure spelling of a date: separators, leading zeros, 2/4-digit years."""
    out = []
    for sep, zero_d, zero_m, year in itertools.product("/.-", (True, False), (True, False), (4, 2)):
        d = f"{day.day:02d}" if zero_d else str(day.day)
        m = f"{day.month:02d}" if zero_m else str(day.month)
        y = str(day.year) if year == 4 else f"{day.year % 100:02d}"
        out.append(f"{d}{sep}{m}{sep}{y}")
    out += [day.isoformat(), f"{day.isoformat()} 00:00:00", f"{day:%d/%m/%Y} 10:15"]
    out += [f"{day.isoformat()}T10:15:00+01:00", f"{day.isoformat()} 10:15:00 +0200"]
    return out


def words(day: dt.date) -> list[str]:
    """Every word spelling: « 1er », abbreviations, « le », two-digit years."""
    first = ["1er", "1"] if day.day == 1 else [str(day.day)]
    out = []
    for d, m, y in itertools.product(first, MONTH_SPELLINGS[day.month], (4, 2)):
        year = str(day.year) if y == 4 else f"{day.year % 100:02d}"
        out.append(f"{d} {m} {year}")
    out.append(f"le {first[0]} {MONTH_SPELLINGS[day.month][0]} {day.year}")
    return out


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_spelling_of_a_date(day: dt.date) -> None:
    variants = figures(day) + words(day)
    wrong = {v: to_date(v) for v in variants if to_date(v) != day}
    assert not wrong, wrong
    assert len(variants) > 30


def test_day_first_always() -> None:
    # Never the 24th of January 2001, never the 11th of January.
    assert to_date("01/11/24") == dt.date(2024, 11, 1)
    assert to_date("1/11/24") == dt.date(2024, 11, 1)
    assert to_date("11/01/2024") == dt.date(2024, 1, 11)
    assert to_date("12/13/2024") is None  # month 13: not read as American
    assert to_date("01/09/95") == dt.date(1995, 9, 1)  # an old Ordre registration


def test_excel_serials_and_date_cells() -> None:
    assert to_date("45597") == dt.date(2024, 11, 1)
    assert to_date(dt.datetime(2024, 11, 1, 0, 0)) == dt.date(2024, 11, 1)
    assert to_date(dt.date(2024, 11, 1)) == dt.date(2024, 11, 1)


@pytest.mark.parametrize(
    "text", ["31/02/2024", "32 novembre 2024", "1er brumaire 2024", "01/11-2024", "demain", "2024"]
)
def test_unreadable_dates_are_quoted(text: str) -> None:
    errors: list[Reason] = []
    assert parse_date(text, "date de début", errors) is None
    said = f"date de début illisible : « {text} » (JJ/MM/AAAA attendu)"
    assert errors == [Reason("DONNEES-DATE-ILLISIBLE", said)]


@pytest.mark.parametrize("text", ["novembre 2024", "nov. 2024", "11/2024", "en novembre 2024"])
def test_a_month_without_a_day_is_not_guessed(text: str) -> None:
    assert read_date(text)[0] is None
    errors: list[Reason] = []
    doubts: list[Reason] = []
    assert parse_date(text, "date de début", errors, doubts) is None
    assert not errors and doubts[0].code == "DONNEES-DATE-INCOMPLETE"
    assert "jour manquant" in doubts[0].text and f"« {text} »" in doubts[0].text


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("24", 24), ("24 mois", 24), ("2 ans", 24), ("deux ans", 24), ("1 an", 12),
        ("un an", 12), ("12", 12), ("1,5 an", 18), ("1.5 ans", 18), ("18 mois", 18),
        ("3 années", 36), ("un an et demi", 18), ("Douze mois", 12), ("24 MOIS", 24),
    ],
)  # fmt: skip
def test_durations(text: str, months: float) -> None:
    assert to_months(text) == months


@pytest.mark.parametrize(
    ("text", "half_days"),
    [
        ("5", 5), ("5 ½", 5.5), ("5½", 5.5), ("4,5", 4.5), ("4.5", 4.5), ("4 1/2", 4.5),
        ("5 demi-journées", 5), ("5 demi journées", 5), ("6 dj", 6), ("½", 0.5),
        ("3 demi-journées / semaine", 3), ("4 ½ demi-journées", 4.5), ("50 %", 5),
        ("45%", 4.5),
    ],
)  # fmt: skip
def test_half_days(text: str, half_days: float) -> None:
    assert to_half_days(text) == half_days


@pytest.mark.parametrize("text", ["beaucoup", "5 jours", "1/3", "150 %"])
def test_unreadable_half_days_and_durations(text: str) -> None:
    assert to_half_days(text) is None
    assert to_months("quelques mois") is None


def test_a_row_typed_by_hand_is_read_whole() -> None:
    """Defect 3: each of these made the whole row « données invalides »."""
    post = post_from_cells(
        {
            "ordre": "15 déc. 2023",
            "date_debut": "1er nov. 2024",
            "duree": "2 ans",
            "dj_hopital": "5 ½",
            "site1_dj": "4,5",
            "site1_insee": "23008",
        }
    )
    assert post.errors == () and post.doubts == ()
    assert post.ordre_date == dt.date(2023, 12, 15) and post.start == dt.date(2024, 11, 1)
    assert post.months == 24 and post.hospital_half_days == 5.5
    assert post.sites[0].half_days == 4.5


def test_a_start_month_without_day_is_a_doubt_not_an_error() -> None:
    post = post_from_cells({"date_debut": "novembre 2024", "duree": "deux ans"})
    assert post.errors == () and post.start is None and post.months == 24
    assert post.doubts == (
        Reason(
            "DONNEES-DATE-INCOMPLETE",
            "date de début incomplète (jour manquant : à vérifier, aucun jour n'est supposé) : "
            "« novembre 2024 »",
        ),
    )


def test_structure_kinds_as_people_write_them() -> None:
    from zoning.rules.types import type_code

    assert type_code("Hôpital privé d'Antony") == "prive"  # not a public hospital
    assert type_code("Hôpital privé à but non lucratif de Tulle") == "espic"
    assert type_code("Centre hospitalier de Guéret") == "public"
    assert type_code("Centre municipal de santé") == "centre_sante"
    assert type_code("M.S.P.") == "msp"
    assert type_code("Maison médicale") is None  # not said to be an MSP: « à vérifier »
