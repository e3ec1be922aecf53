"""Territorial premium tiers (seeds/003, arrêté du 14 mars 2017 modifié, art. 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.rules.distance import DistanceVerdict
from zoning.rules.premium import premium, tier_amount
from zoning.rules.programme import PremiumRules, load_programme
from zoning.rules.verdicts import CHECK, NO, OK

PROGRAMMES = Path(__file__).resolve().parents[2] / "data" / "programmes"
_PREMIUM = load_programme("cvl-assistants-partages", PROGRAMMES).premium
assert _PREMIUM is not None
RULES: PremiumRules = _PREMIUM
FAR = DistanceVerdict(OK, "25 km", None, 25.0)
NEAR = DistanceVerdict(NO, "12 km par la route", "DIST-MOINS-20KM", 10.0, 12.0)
UNSURE = DistanceVerdict(CHECK, "à vérifier", "DIST-ROUTE-NECESSAIRE", 15.0)


@pytest.mark.parametrize(
    ("half_days", "sites", "amount"),
    [
        (0.5, 1, 0),
        (1, 1, 250),  # « 1 demi-journée »
        (1.5, 1, 450),  # « + d'1 demi-journée à 3 demi-journées inclus »
        (3, 1, 450),
        (3.5, 1, 700),  # « + de 3 demi-journées à 4 demi-journées inclus »
        (4, 1, 700),
        (4, 2, 1000),  # « 4 demi-journées sur au moins 2 sites »
        (4.5, 1, 1000),  # « + de 4 demi-journées »
        (6, 1, 1000),
    ],
)
def test_tier_boundaries(half_days: float, sites: int, amount: float) -> None:
    assert tier_amount(half_days, sites, RULES.tiers) == amount


def test_four_half_days_one_vs_two_other_sites() -> None:
    one = premium([(4, FAR)], RULES)
    two = premium([(2, FAR), (2, FAR)], RULES)
    assert (one.verdict, one.amount) == (OK, 700)
    assert (two.verdict, two.amount) == (OK, 1000)
    assert "2 sites" in two.reason


def test_sites_under_20km_do_not_count() -> None:
    result = premium([(2, FAR), (2, NEAR)], RULES)
    assert (result.amount, result.half_days, result.sites) == (450, 2, 1)
    none = premium([(5, NEAR)], RULES)
    assert (none.verdict, none.amount) == (NO, 0)
    assert "20 km" in none.reason


def test_uncertain_distance_gives_amount_if_confirmed() -> None:
    result = premium([(2, FAR), (2, UNSURE)], RULES)
    assert result.verdict == CHECK and result.amount is None
    assert result.amount_if_confirmed == 1000
    assert "1 000 €" in result.reason
