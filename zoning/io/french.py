"""Dates, numbers, amounts and distances as French readers write them.

Every text the tool writes for a person formats them here. Amounts keep three styles,
each the one an output has always used (changing one would change files users compare
from run to run):

- ``cents``: « 2 500,00 € », the ARS funding (rule reasons, batch outputs);
- ``short``: « 2 500 € », the territorial premium (cents written only when there are
  some);
- ``typeset``: « 2 500,00 € » with narrow no-break spaces between thousands and a
  no-break space before « € », the posts map's popups.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

#: Narrow no-break space: the thousands separator of typeset French (« 12 345 »).
NARROW_NBSP = "\u202f"
#: No-break space: between a figure and its unit when a line may wrap (« 12 € »).
NBSP = "\u00a0"

AmountStyle = Literal["cents", "short", "typeset"]
#: How people type a date: ISO (forms, ``--date``) or French.
_DATE_INPUTS = ("%Y-%m-%d", "%d/%m/%Y")


def format_date(day: dt.date) -> str:
    """« 05/03/2024 »: day, month, year of four digits."""
    # Not strftime: it was a tenth of the rules' time on a large batch, and it writes
    # years before 1000 with fewer than four digits.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def read_date(text: str) -> dt.date | None:
    """« 2024-03-05 » or « 05/03/2024 » as a date; ``None`` if it is neither."""
    for fmt in _DATE_INPUTS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def format_number(number: float, digits: int = 0, separator: str = NARROW_NBSP) -> str:
    """« 12 345 », « 12 345,68 »: thousands separated, a decimal comma.

    Parameters
    ----------
    number
        The figure; an ``int`` with ``digits`` 0 is written exactly, however large.
    digits
        Decimals kept (rounded).
    separator
        Between thousands: the narrow no-break space of typeset French, or a plain
        space where the outputs always had one.
    """
    exact = isinstance(number, int) and not digits
    text = f"{number:,}" if exact else f"{number:,.{digits}f}"
    return text.replace(",", separator).replace(".", ",")


def format_amount(amount: float, style: AmountStyle = "cents") -> str:
    """An amount in euros, in one of the module's three styles (see above)."""
    if style == "typeset":
        return f"{format_number(amount, 2)}{NBSP}€"
    text = format_number(amount, 2, " ")
    if style == "short":
        text = text.removesuffix(",00")
    return f"{text} €"


def format_km(metres: float, up: bool = False) -> str:
    """« 18,9 km »: tenths cut towards the side the text claims (an « at least » figure
    down, an « at most » figure up), so that 19,96 km is never written « 20,0 km »."""
    tenths = math.ceil(round(metres / 100, 6)) if up else math.floor(round(metres / 100, 6))
    return f"{tenths / 10:.1f}".replace(".", ",") + " km"
