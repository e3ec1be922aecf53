"""Cell values as people write them: « 5,0 », « 5 % », 01/11/2023, Excel serials, Oui/Non.

One parser per kind, used by every command. A value that cannot be read is reported
in ``errors`` (French, naming what was expected) and parsed as ``None``/``False``:
the row goes on with an error rather than stopping the run.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

from zoning.io.text import fold
from zoning.reasons import Reason

TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "accordee", "accorde"})
FALSE_WORDS = frozenset({"non", "n", "no", "faux", "false", "0", ""})
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serials accepted as dates: 1982-01-01 .. 2064-12-31 (a five-digit number
#: outside that range is not a plausible date of this domain).
_SERIAL_RANGE = (30_000, 60_000)
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def to_number(text: object) -> float | None:
    """A finite number from a cell, or None (blank or unreadable).

    Accepts a French decimal comma, (narrow) no-break spaces as thousands separators
    and a trailing ``%``, ``€`` or ``km``.
    """
    if text is None or text == "":
        return None
    if type(text) is str:
        # Most cells are plain numbers (« 45.168010 »): float() reads them at once.
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            return number if math.isfinite(number) else None
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    clean = str(text).strip().translate(_SPACES)
    for unit in ("%", "€", "km", "EUR"):
        clean = clean.removesuffix(unit)
    if clean.count(",") == 1 and "." not in clean:
        clean = clean.replace(",", ".")
    if not clean or clean.lower() in {"nan", "none", "-", "—"}:
        return None
    try:
        number = float(clean)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_number(text: str, what: str, errors: list[Reason]) -> float | None:
    """:func:`to_number`, with an error named after ``what`` when the cell is not blank."""
    number = to_number(text)
    if number is None and str(text).strip().translate(_SPACES):
        errors.append(
            Reason("DONNEES-NOMBRE-ILLISIBLE", f"{what} illisible : « {str(text).strip()} »")
        )
    return number


# --- dates ---------------------------------------------------------------------------------
# Day first, always: « 01/11/24 » is the 1st of November 2024, never the 24th. The same
# separator twice; a two-digit year is 20yy up to 69, 19yy from 70 (Excel's pivot: an
# Ordre registration of 1995 written « 01/09/95 » stays in 1995).
_TIME = r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})" + _TIME + "$")
_YMD = re.compile(r"^(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
#: French month names and their usual abbreviations (folded) -> month number.
MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_WORDS = re.compile(
    rf"^(?:le )?(?:{_WEEKDAYS} )?(1er|premier|\d{{1,2}}) ([a-z]+) (\d{{4}}|\d{{2}})$"
)
_MONTH_WORDS = re.compile(r"^(?:en |le mois de )?([a-z]+) (\d{4})$")
_ILLEGIBLE = "illisible"
_NO_DAY = "incomplète (jour manquant : à vérifier, aucun jour n'est supposé)"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= 69 else 1900
    return year


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_date(text: object) -> tuple[dt.date | None, str | None]:
    """A date as people write it, or None and why (French: « illisible », « incomplète… »).

    Figures with ``/``, ``.`` or ``-`` (day first, two- or four-digit year), ISO dates,
    French words (« 1er nov. 2024 », « 4 novembre 2024 », « le lundi 4 nov. 24 »),
    Excel serials and date cells. A month without a day is refused, not guessed.
    Blank gives (None, None).
    """
    if isinstance(text, dt.datetime):
        return text.date(), None
    if isinstance(text, dt.date):
        return text, None
    return _date_of_text(str(text or ""))


def to_date(text: object) -> dt.date | None:
    """:func:`read_date` without the reason."""
    return read_date(text)[0]


@functools.lru_cache(maxsize=4096)
def _date_of_text(text: str) -> tuple[dt.date | None, str | None]:
    """:func:`read_date` of a text (memoised: a list repeats a few dates many times)."""
    value = text.strip()
    if not value:
        return None, None
    if _SERIAL.match(value):
        serial = float(value)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial)), None
        return None, _ILLEGIBLE
    if match := _YMD.match(value):
        y, _, m, d = match.groups()
        return _or_illegible(_day(int(y), int(m), int(d)))
    if match := _DMY.match(value):
        d, _, m, y = match.groups()
        return _or_illegible(_day(_year(y), int(m), int(d)))
    if _MONTH_YEAR.match(value):
        return None, _NO_DAY
    return _date_in_words(fold(value))


def _or_illegible(date: dt.date | None) -> tuple[dt.date | None, str | None]:
    return (date, None) if date else (None, _ILLEGIBLE)


def _date_in_words(folded: str) -> tuple[dt.date | None, str | None]:
    """« 1er nov. 2024 »: checked here (day, known month, year), read by dateparser."""
    match = _WORDS.match(folded)
    if match is None:
        month_only = _MONTH_WORDS.match(folded)
        if month_only and month_only.group(1) in MONTHS:
            return None, _NO_DAY
        return None, _ILLEGIBLE
    day_text, month_text, year_text = match.groups()
    month = MONTHS.get(month_text)
    if month is None:
        return None, _ILLEGIBLE
    day = 1 if day_text in ("1er", "premier") else int(day_text)
    expected = _day(_year(year_text), month, day)
    if expected is None:
        return None, _ILLEGIBLE
    # dateparser must read the same date, or the text is not what we think it is.
    import dateparser  # imported here: 0.2 s, only for dates written in words

    settings: Any = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    words = f"{day} {month_text} {year_text}"
    parsed = dateparser.parse(words, languages=["fr"], settings=settings)
    if parsed is None or parsed.date() != expected:
        return None, _ILLEGIBLE
    return expected, None


def parse_date(
    text: str, what: str, errors: list[Reason], doubts: list[Reason] | None = None
) -> dt.date | None:
    """:func:`read_date`; an error quoting the cell when it is not blank and not a date.

    A month without a day goes to ``doubts`` when given (the row is « à vérifier »).
    """
    date, why = read_date(text)
    if why == _NO_DAY and doubts is not None:
        doubts.append(Reason("DONNEES-DATE-INCOMPLETE", f"{what} {why} : « {str(text).strip()} »"))
    elif why is not None:
        hint = " (JJ/MM/AAAA attendu)" if why == _ILLEGIBLE else ""
        code = "DONNEES-DATE-ILLISIBLE" if why == _ILLEGIBLE else "DONNEES-DATE-INCOMPLETE"
        errors.append(Reason(code, f"{what} {why} : « {str(text).strip()} »{hint}"))
    return date


# --- durations and half-days ---------------------------------------------------------------
_NUMBER_WORDS: dict[str, float] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "dix huit": 18,
    "vingt quatre": 24, "trente six": 36, "demi": 0.5,
}  # fmt: skip
_NUMBER_ALTERNATIVES = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DURATION = re.compile(
    rf"^(?P<n>\d+(?:[.,]\d+)?|{_NUMBER_ALTERNATIVES}) ?(?P<unit>mois|ans?|annees?)?"
    r"(?P<half> et demie?)?$"
)
_HALF = re.compile(r"^(\d+)?\s*(?:½|1/2)$|^(\d+)\s*(?:et\s+)?(?:½|1/2)$")
_HALF_DAY_UNIT = re.compile(
    r"\s*(?:demi[\s-]*journ[ée]es?|dj|1/2\s*journ[ée]es?|½\s*journ[ée]es?)\s*"
    r"(?:/\s*(?:sem(?:aine)?\.?)|par\s+semaine|hebdo(?:madaires?)?)?\s*$",
    re.IGNORECASE,
)


def to_months(text: object) -> float | None:
    """A duration in months: « 24 », « 24 mois », « 2 ans », « deux ans », « 1,5 an »,
    « un an et demi ». A bare number is in months (the column says so). None if unreadable."""
    number = to_number(text)
    if number is not None:
        return number
    folded = fold(str(text or "").replace(",", "."))
    folded = re.sub(r"(\d) (\d)", r"\1.\2", folded)  # fold splits « 1.5 » on the dot
    match = _DURATION.match(folded)
    if match is None:
        return None
    words = match.group("n")
    value = float(_NUMBER_WORDS[words]) if not words[0].isdigit() else float(words)
    if value is None:
        return None
    if match.group("half"):
        value += 0.5
    unit = match.group("unit") or "mois"
    return value * 12 if unit.startswith("an") else value


def parse_months(text: str, what: str, errors: list[Reason]) -> float | None:
    """:func:`to_months`, with an error quoting the cell when it is not blank."""
    months = to_months(text)
    if months is None and str(text).strip():
        said = f"{what} illisible : « {str(text).strip()} » (nombre de mois attendu)"
        errors.append(Reason("DONNEES-DUREE-ILLISIBLE", said))
    return months


def to_half_days(text: object, week: float = 10.0) -> float | None:
    """Half-days a week: « 5 », « 4,5 », « 4.5 », « 5 ½ », « 4 1/2 », « 5 demi-journées »;
    « 50 % » is a share of a ``week`` of half-days (never 50 half-days)."""
    if isinstance(text, str) and text.strip().endswith("%"):
        share = to_number(text)
        return None if share is None or not 0 <= share <= 100 else round(share * week / 100, 2)
    number = to_number(text)
    if number is not None:
        return number
    value = _HALF_DAY_UNIT.sub("", str(text or "").strip().replace("\u00a0", " "))
    number = to_number(value)
    if number is not None:
        return number
    match = _HALF.match(value.strip())
    if match is None:
        return None
    whole = match.group(1) or match.group(2) or "0"
    return int(whole) + 0.5


def parse_half_days(text: str, what: str, errors: list[Reason], week: float = 10.0) -> float | None:
    """:func:`to_half_days`, with an error quoting the cell when it is not blank."""
    value = to_half_days(text, week)
    if value is None and str(text).strip():
        quoted = str(text).strip()
        said = f"{what} illisible : « {quoted} » (nombre de demi-journées attendu)"
        errors.append(Reason("DONNEES-DEMI-JOURNEES-ILLISIBLES", said))
    return value


def to_bool(text: object) -> bool | None:
    """oui/non, vrai/faux, true/false, x, 1/0 (blank is no); None when unreadable."""
    if isinstance(text, bool):
        return text
    value = fold(text)
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def parse_bool(text: str, what: str, errors: list[Reason]) -> bool:
    """:func:`to_bool`; anything else is an error (and False)."""
    if not text:  # the usual blank cell
        return False
    value = to_bool(text)
    if value is None:
        said = f"{what} illisible : « {text} » (oui ou non attendu)"
        errors.append(Reason("DONNEES-OUI-NON-ILLISIBLE", said))
        return False
    return value
