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

from zoning.io.text import fold

TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "accordee", "accorde"})
FALSE_WORDS = frozenset({"non", "n", "no", "faux", "false", "0", ""})
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"),
     ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})[/.\-](\d{4})$"), ("m", "y")),
)  # fmt: skip
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


def parse_number(text: str, what: str, errors: list[str]) -> float | None:
    """:func:`to_number`, with an error named after ``what`` when the cell is not blank."""
    number = to_number(text)
    if number is None and str(text).strip().translate(_SPACES):
        errors.append(f"{what} illisible : « {str(text).strip()} »")
    return number


def to_date(text: object) -> dt.date | None:
    """A date from AAAA-MM-JJ, JJ/MM/AAAA (also ``-`` ``.``), MM/AAAA, or an Excel serial."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    return _date_of_text(str(text or ""))


@functools.lru_cache(maxsize=4096)
def _date_of_text(text: str) -> dt.date | None:
    """:func:`to_date` of a text (memoised: a list repeats a few dates many times)."""
    value = text.strip()
    if not value:
        return None
    if _SERIAL.match(value):
        serial = float(value)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
        return None
    for pattern, parts in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            values = dict(zip(parts, map(int, match.groups()), strict=True))
            try:
                return dt.date(values["y"], values["m"], values.get("d", 1))
            except ValueError:
                return None
    return None


def parse_date(text: str, what: str, errors: list[str]) -> dt.date | None:
    """:func:`to_date`, with an error named after ``what`` when the cell is not blank."""
    date = to_date(text)
    if date is None and str(text).strip():
        errors.append(f"{what} illisible : « {str(text).strip()} » (JJ/MM/AAAA attendu)")
    return date


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


def parse_bool(text: str, what: str, errors: list[str]) -> bool:
    """:func:`to_bool`; anything else is an error (and False)."""
    if not text:  # the usual blank cell
        return False
    value = to_bool(text)
    if value is None:
        errors.append(f"{what} illisible : « {text} » (oui ou non attendu)")
        return False
    return value
