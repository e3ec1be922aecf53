"""Format checks of identifiers: RPPS, FINESS, SIRET, INSEE commune code, postal code.

One rule per identifier for the whole tool (the source readers, the batch's rows, the
search field): each ``normalise_*`` function returns the cleaned identifier or raises
:class:`~zoning.errors.InvalidInputError` with a French reason; ``is_*`` wrappers return
a bool. Checks are on format only: a well-formed number may still not exist.

A short number is never stretched into another identifier: « 00123 » is not a FINESS
number (9 characters; only an 8-digit one is taken as having lost its leading zero), not
a commune code (no département 00) and not a postal code; it is refused everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zoning.errors import InvalidInputError

_SPACES = re.compile(r"[\s.\-]")
# Compiled once: these checks run on every cell and every query (the web's hot path).
_EXCEL_FLOAT = re.compile(r"\d+\.0+")
_FINESS_FLOAT = re.compile(r"\d{8,9}\.0")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_FOUR_DIGITS = re.compile(r"\d{4}")
_RPPS = re.compile(r"\d{11}")
_SIRET = re.compile(r"\d{14}")
_BLANKS = re.compile(r"\s")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_POSTCODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
# A FINESS number starts with its département as FINESS writes it: 01-95, 2A, 2B, and for
# overseas 97 and 98 (the real files: 9701... Guadeloupe to 9805... Mayotte) or the letter
# codes 9A-9F of the FINESS nomenclature; then 7 digits (format_etalab_cs1100507 spec).
_FINESS = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|9[78]|9[A-F])\d{7}")


def _clean(value: object) -> str:
    text = "" if value is None else str(value).strip()
    # Excel turns long numbers into floats: "12345678901.0".
    if _EXCEL_FLOAT.fullmatch(text):
        text = text.split(".", 1)[0]
    return _SPACES.sub("", text).upper()


def luhn_ok(digits: str) -> bool:
    """Luhn checksum over a string of digits (SIRET, SIREN)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise_rpps(value: object) -> str:
    """RPPS number: exactly 11 digits."""
    text = _clean(value)
    if not _RPPS.fullmatch(text):
        raise InvalidInputError(f"n° RPPS mal formé : {value!r} (11 chiffres attendus)")
    return text


def normalise_finess(value: object) -> str:
    """Check a FINESS ET number and give it back as 9 characters.

    Spreadsheets turn ``010000024`` into the number ``10000024``: an 8-digit value gets
    its leading zero back (and only that one: a shorter number is refused).

    Parameters
    ----------
    value
        Text or number as typed by a user or read from a file.

    Returns
    -------
    str
        The 9-character number (``"010000024"``, ``"2A0000154"``, ``"9A0000015"``).

    Raises
    ------
    InvalidInputError
        With a French message when the value cannot be a FINESS number.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _BLANKS.sub("", str(value if value is not None else "")).upper()
    if _FINESS_FLOAT.fullmatch(text):  # read back from a spreadsheet as a float
        text = text[:-2]
    if _EIGHT_DIGITS.fullmatch(text):
        text = "0" + text
    if not _FINESS.fullmatch(text):
        raise InvalidInputError(
            f"numéro FINESS invalide « {value} » : 9 caractères attendus, le département "
            "(2 chiffres, 2A, 2B, 9A...) puis 7 chiffres, par exemple 330781360"
        )
    return text


def normalise_siret(value: object) -> str:
    """SIRET: 14 digits passing the Luhn check."""
    text = _clean(value)
    if not _SIRET.fullmatch(text):
        raise InvalidInputError(f"n° SIRET mal formé : {value!r} (14 chiffres attendus)")
    # La Poste's establishments share SIREN 356000000 and use a digit-sum rule instead.
    poste_ok = text.startswith("356000000") and sum(map(int, text)) % 5 == 0
    if not (luhn_ok(text) or poste_ok):
        raise InvalidInputError(f"n° SIRET invalide : {value!r} (clé de contrôle fausse)")
    return text


def normalise_insee(value: object) -> str:
    """INSEE commune code: 5 characters (2A/2B for Corsica, 97x/98x overseas).

    A 4-digit code is a code of départements 01-09 that lost its leading zero. A code of
    département 20 is Corsica's before 1976: old files still hold them, and the COG's
    movements carry each to its 2A/2B code, so it is well formed.
    """
    text = _clean(value)
    if _FOUR_DIGITS.fullmatch(text):
        text = "0" + text
    if not _INSEE.fullmatch(text) or text.startswith("00"):
        raise InvalidInputError(
            f"code commune INSEE mal formé : {value!r} (5 caractères, ex. 23096)"
        )
    return text


def normalise_postcode(value: object) -> str:
    """French postal code: 5 digits, 01000 to 98999 (a lost leading zero is restored)."""
    text = _clean(value)
    if _FOUR_DIGITS.fullmatch(text):
        text = "0" + text
    if not _POSTCODE.fullmatch(text):
        raise InvalidInputError(f"code postal mal formé : {value!r} (5 chiffres, ex. 23000)")
    return text


def _is(check: Callable[[object], str], value: object) -> bool:
    try:
        check(value)
    except InvalidInputError:
        return False
    return True


def is_rpps(value: object) -> bool:
    """Whether ``value`` is a well-formed RPPS number."""
    return _is(normalise_rpps, value)


def is_finess(value: object) -> bool:
    """Whether ``value`` is a well-formed FINESS number (leading zero may be missing)."""
    return _is(normalise_finess, value)


def is_postcode(value: object) -> bool:
    """Whether ``value`` is a well-formed French postal code."""
    return _is(normalise_postcode, value)


def is_siret(value: object) -> bool:
    """Whether ``value`` is a 14-digit SIRET with a valid Luhn key."""
    return _is(normalise_siret, value)


def is_insee(value: object) -> bool:
    """Whether ``value`` is a well-formed INSEE commune code."""
    return _is(normalise_insee, value)
