"""Dates, numbers, amounts and distances as French readers write them: one module."""

from __future__ import annotations

import datetime as dt

import pytest

from zoning.io.french import format_amount, format_date, format_km, format_number, read_date


def test_dates() -> None:
    assert format_date(dt.date(2024, 3, 5)) == "05/03/2024"
    assert format_date(dt.datetime(2023, 11, 1, 12, 30)) == "01/11/2023"
    assert format_date(dt.date(999, 1, 2)) == "02/01/0999"


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024-03-05", dt.date(2024, 3, 5)), ("05/03/2024", dt.date(2024, 3, 5)), ("5 mars", None)],
)
def test_read_date(text: str, day: dt.date | None) -> None:
    assert read_date(text) == day


def test_numbers() -> None:
    assert format_number(1_048_575) == "1\u202f048\u202f575"
    assert format_number(12_345.678, 2) == "12\u202f345,68"
    assert format_number(12_345, separator=" ") == "12 345"
    assert format_number(10**20 + 1) == "\u202f".join(
        ["100", "000", "000", "000", "000", "000", "001"]
    )


@pytest.mark.parametrize(
    ("amount", "style", "text"),
    [
        (2500.0, "cents", "2 500,00 €"),
        (1234567.891, "cents", "1 234 567,89 €"),
        (2500.0, "short", "2 500 €"),
        (2500.5, "short", "2 500,50 €"),
        (2500.0, "typeset", "2\u202f500,00\u00a0€"),
        (0.0, "short", "0 €"),
    ],
)
def test_amount_styles_are_those_of_the_outputs(amount: float, style: str, text: str) -> None:
    assert format_amount(amount, style) == text  # type: ignore[arg-type]


def test_km() -> None:
    assert format_km(19_960.0) == "19,9 km"
    assert format_km(19_960.0, up=True) == "20,0 km"
