"""Text normalisation shared by the geocoder: cache keys, name matching, column names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\-'’_.,;/]+")


def fold(text: str | None) -> str:
    """Fold a French string for comparison: no accents, upper case, single spaces.

    Parameters
    ----------
    text
        Any string (``None`` gives ``""``).

    Returns
    -------
    str
        ``"Saint-Étienne  d'Orthe"`` -> ``"SAINT ETIENNE D ORTHE"``.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    return _SPACES.sub(" ", ascii_only).strip().upper()


def fold_header(text: str | None) -> str:
    """Fold a column header: like :func:`fold`, and any symbol (``N°``) becomes a space."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", fold(text)).split())
