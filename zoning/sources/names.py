"""Commune-name normalisation, so that « Saint-Étienne-d'Orthe », « ST ETIENNE D ORTHE »
and « saint etienne d'orthe » compare equal."""

from __future__ import annotations

from functools import lru_cache

from zoning.io.text import fold_upper

_ABBREVIATIONS = {"SAINT": "ST", "SAINTE": "STE"}
_ARTICLES = ("L", "LE", "LA", "LES")


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """Upper-case ASCII words, « Saint »/« Sainte » abbreviated, punctuation as spaces."""
    words = fold_upper(name).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def name_keys(name: str) -> set[str]:
    """Keys under which a name is indexed: normalised, and without its leading article.

    The COG stores « Abergement-Clémenciat » with the article apart, La Poste writes
    « L ABERGEMENT CLEMENCIAT »: both get the key « ABERGEMENT CLEMENCIAT ».
    """
    norm = normalize_name(name)
    keys = {norm}
    first, _, rest = norm.partition(" ")
    if first in _ARTICLES and rest:
        keys.add(rest)
    return keys
