"""ARS funding: NA quotités (seeds/000), CVL (seeds/003), 60 % and AUMG (seeds/002)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.rules.funding import funding
from zoning.rules.programme import load_programme
from zoning.rules.verdicts import CHECK, NO, OK

PROGRAMMES = Path(__file__).resolve().parents[2] / "data" / "programmes"


@pytest.mark.parametrize(("half_days", "monthly"), [(6, 3756.50), (5, 3130.42), (4, 2504.33)])
def test_na_quotites(half_days: int, monthly: float) -> None:
    rule = load_programme("na-mg-2023", PROGRAMMES).funding
    result = funding(rule, half_days, 24)
    assert result.verdict == OK
    assert result.monthly == monthly
    assert result.total == pytest.approx(monthly * 24)


def test_na_other_split_has_no_amount() -> None:
    rule = load_programme("na-mg-2023", PROGRAMMES).funding
    assert funding(rule, 3, 24).verdict == NO
    assert funding(rule, None, 24).verdict == CHECK


def test_cvl_and_aumg_fixed_amounts() -> None:
    cvl = funding(load_programme("cvl-assistants-partages", PROGRAMMES).funding, 5, 24)
    assert (cvl.monthly, cvl.total) == (3772.16, pytest.approx(3772.16 * 24))
    aumg = funding(load_programme("aumg-2025", PROGRAMMES).funding, 5, 24)
    assert (aumg.monthly, aumg.total) == (2100.0, 50400.0)


def test_share_of_cost_needs_the_cost() -> None:
    rule = load_programme("ars-specialistes-60pc-2025", PROGRAMMES).funding
    assert funding(rule, 4, 24).verdict == CHECK
    result = funding(rule, 4, 24, monthly_cost=5000.0)
    assert (result.monthly, result.total) == (3000.0, 72000.0)
