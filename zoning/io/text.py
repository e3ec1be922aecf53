"""The one text folder: accents, case and punctuation, for comparing what people type.

« Saint-Étienne  d'Orthe », « SAINT ETIENNE D'ORTHE » and « saint etienne d orthe »
fold to the same string. Every comparison of user text (headers, statuses, types,
specialties, cache keys) goes through here, so that they all agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


@lru_cache(maxsize=100_000)
def strip_accents(text: str) -> str:
    """The text without diacritics (ligatures spelled out), case and punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: object) -> str:
    """Lower-case ASCII words separated by single spaces (``None`` gives ``""``).

    Examples
    --------
    >>> fold("N° FINESS de l'Établissement")
    'n finess de l etablissement'
    """
    if text is None:
        return ""
    return " ".join(_NON_ALNUM.sub(" ", strip_accents(str(text)).lower()).split())


def fold_upper(text: object) -> str:
    """:func:`fold` in upper case (the spelling of postal and geocoder data)."""
    return fold(text).upper()


def squash(text: object) -> str:
    """:func:`fold` without spaces: « Code postal », « CODE_POSTAL », « codepostal » agree."""
    return fold(text).replace(" ", "")


def snake(text: object) -> str:
    """:func:`fold` with underscores: « Site principal lon » -> ``site_principal_lon``."""
    return fold(text).replace(" ", "_")
