"""Format checks of identifiers: RPPS, FINESS, SIRET, INSEE commune code.

Each ``normalise_*`` function returns the cleaned identifier or raises
:class:`~zoning.errors.InvalidInputError` with a French reason; ``is_*`` wrappers
return a bool. Checks are on format only: a well-formed number may still not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zoning.errors import InvalidInputError
from zoning.sources.finess import normalize_finess

_SPACES = re.compile(r"[\s.\-]")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_FINESS = re.compile(r"^(?:\d{9}|2[AB]\d{7})$")


def _clean(value: object) -> str:
    text = "" if value is None else str(value).strip()
    # Excel turns long numbers into floats: "12345678901.0".
    if re.fullmatch(r"\d+\.0+", text):
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
    if not re.fullmatch(r"\d{11}", text):
        raise InvalidInputError(f"n° RPPS mal formé : {value!r} (11 chiffres attendus)")
    return text


# One FINESS check for the whole tool: sources come first on the data's path.
normalise_finess = normalize_finess


def normalise_siret(value: object) -> str:
    """SIRET: 14 digits passing the Luhn check."""
    text = _clean(value)
    if not re.fullmatch(r"\d{14}", text):
        raise InvalidInputError(f"n° SIRET mal formé : {value!r} (14 chiffres attendus)")
    # La Poste's establishments share SIREN 356000000 and use a digit-sum rule instead.
    poste_ok = text.startswith("356000000") and sum(map(int, text)) % 5 == 0
    if not (luhn_ok(text) or poste_ok):
        raise InvalidInputError(f"n° SIRET invalide : {value!r} (clé de contrôle fausse)")
    return text


def normalise_insee(value: object) -> str:
    """INSEE commune code: 5 characters (2A/2B for Corsica, 97x/98x overseas).

    A 4-digit code is a code of départements 01-09 that lost its leading zero.
    """
    text = _clean(value)
    if re.fullmatch(r"\d{4}", text):
        text = "0" + text
    if not _INSEE.fullmatch(text) or text.startswith("00") or text.startswith("20"):
        raise InvalidInputError(
            f"code commune INSEE mal formé : {value!r} (5 caractères, ex. 23096)"
        )
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


def is_siret(value: object) -> bool:
    """Whether ``value`` is a 14-digit SIRET with a valid Luhn key."""
    return _is(normalise_siret, value)


def is_insee(value: object) -> bool:
    """Whether ``value`` is a well-formed INSEE commune code."""
    return _is(normalise_insee, value)
