"""Colours and French labels shared by the maps and the figures.

Classes follow the conventional zoning palette (CartoSanté-like): the strongest colour
for ZIP, a lighter warm one for ZAC, pale for the rest, grey hatching for communes the
zoning file does not classify.
"""

from __future__ import annotations

from zoning.io.text import fold

__all__ = [
    "ZONE_COLORS",
    "ZONE_LABELS",
    "ZONE_ORDER",
    "ZONE_SHORT",
    "ZONE_SHORT_LEGEND",
    "kind_color",
    "status_color",
    "status_key",
]

#: Display order of the classes (legend, tables).
ZONE_ORDER: tuple[str, ...] = ("ZIP", "ZAC", "ZV", "ZAR", "HZ", "ND")

ZONE_COLORS: dict[str, str] = {
    "ZIP": "#b2182b",
    "ZAC": "#f4a582",
    "ZV": "#fbe3cf",
    "ZAR": "#fddc6c",
    "HZ": "#f2f0eb",
    "ND": "#9e9e9e",
}

ZONE_LABELS: dict[str, str] = {
    "ZIP": "ZIP — zone d'intervention prioritaire",
    "ZAC": "ZAC — zone d'action complémentaire",
    "ZV": "ZV — zone de vigilance",
    "ZAR": "ZAR — zone d'accompagnement régional",
    "HZ": "HZ — hors zonage",
    "ND": "non classée (absente du fichier de zonage)",
}

#: Tooltip labels (short: written once per commune in the page).
ZONE_SHORT: dict[str, str] = {
    "ZIP": "ZIP",
    "ZAC": "ZAC",
    "ZV": "ZV",
    "ZAR": "ZAR",
    "HZ": "hors zonage",
    "ND": "non classée",
}

#: Legend labels (the full name is the hover title).
ZONE_SHORT_LEGEND: dict[str, str] = {
    "ZIP": "ZIP (intervention prioritaire)",
    "ZAC": "ZAC (action complémentaire)",
    "ZV": "ZV (vigilance)",
    "ZAR": "ZAR (accompagnement régional)",
    "HZ": "hors zonage",
    "ND": "non classée",
}

QPV_COLOR = "#6a3d9a"
DEPARTEMENT_COLOR = "#222222"

#: Outlines of the communes whose class changes between two decrees.
ENTRY_COLOR = "#1b7837"
EXIT_COLOR = "#762a83"
OTHER_COLOR = "#111111"


def kind_color(kind: str) -> str:
    """Outline colour of a change: entries green, exits purple, other moves black."""
    if kind.startswith("entrée"):
        return ENTRY_COLOR
    if kind.startswith("sortie"):
        return EXIT_COLOR
    return OTHER_COLOR


#: Post status (normalised key) -> colour and French label.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "eligible": ("#1a9850", "éligible"),
    "non_eligible": ("#d73027", "non éligible"),
    "a_verifier": ("#f39c12", "à vérifier"),
    "erreur": ("#7f7f7f", "erreur / incomplet"),
}


def status_key(status: str | None) -> str:
    """Map a batch status (French, any accents/case) to one of :data:`STATUS_STYLE`'s keys.

    Parameters
    ----------
    status : str or None
        A status such as ``"éligible"``, ``"Non éligible"``, ``"à vérifier"``.

    Returns
    -------
    str
        ``eligible``, ``non_eligible``, ``a_verifier`` or ``erreur``.
    """
    folded = fold(status or "")
    if not folded or "erreur" in folded or "incomplet" in folded or "invalide" in folded:
        return "erreur"
    if folded.startswith(("non", "in")) or "refus" in folded or "not" in folded:
        return "non_eligible"
    if "verif" in folded or "revoir" in folded or "review" in folded or "doute" in folded:
        return "a_verifier"
    if folded.startswith(("eligible", "ok", "oui", "yes")):
        return "eligible"
    return "erreur"


def status_color(status: str | None) -> str:
    """Colour of a post status (see :func:`status_key`)."""
    return STATUS_STYLE[status_key(status)][0]
