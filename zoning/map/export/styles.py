"""QGIS styles of the exported layers, in the HTML maps' colours (:mod:`zoning.map.style`)."""

from __future__ import annotations

from collections.abc import Iterable

from zoning.io.qgis_style import LINE, POINT, POLYGON, Category, LayerStyle
from zoning.map.style import (
    DEPARTEMENT_COLOR,
    QPV_COLOR,
    STATUS_STYLE,
    ZONE_COLORS,
    ZONE_ORDER,
    ZONE_SHORT_LEGEND,
    kind_color,
)

__all__ = [
    "changes_style",
    "communes_style",
    "departements_style",
    "links_style",
    "qpv_style",
    "sites_style",
]


def communes_style() -> LayerStyle:
    """Communes filled by class (``classe``), as on the coverage map."""
    return LayerStyle(
        name="zoning — classes",
        geometry=POLYGON,
        field="classe",
        categories=tuple(
            Category(zone, ZONE_SHORT_LEGEND[zone], ZONE_COLORS[zone]) for zone in ZONE_ORDER
        ),
        color=ZONE_COLORS["ND"],
        outline="#8c8c8c",
        width=0.1,
        opacity=0.85,
    )


def changes_style(kinds: Iterable[str]) -> LayerStyle:
    """Changed communes outlined by kind of change (``changement``), as on the changes map."""
    return LayerStyle(
        name="zoning — changements",
        geometry=POLYGON,
        field="changement",
        categories=tuple(Category(kind, kind, kind_color(kind)) for kind in sorted(set(kinds))),
        color=kind_color(""),
        fill=False,
        width=0.7,
    )


def qpv_style(geometry: str) -> LayerStyle:
    """QPV in the maps' purple: perimeters half filled, or points."""
    return LayerStyle(
        name="zoning — QPV",
        geometry=geometry,
        color=QPV_COLOR,
        outline="#ffffff" if geometry == POINT else QPV_COLOR,
        width=0.3,
        opacity=0.55 if geometry == POLYGON else 1.0,
        size=2.4,
    )


def departements_style() -> LayerStyle:
    """Département (and region) outlines."""
    return LayerStyle(
        name="zoning — départements",
        geometry=POLYGON,
        color=DEPARTEMENT_COLOR,
        fill=False,
        width=0.5,
    )


def _status_categories() -> tuple[Category, ...]:
    return tuple(Category(key, label, color) for key, (color, label) in STATUS_STYLE.items())


def sites_style() -> LayerStyle:
    """Sites coloured by their post's status (``statut_cle``), as on the posts map."""
    return LayerStyle(
        name="zoning — statut des postes",
        geometry=POINT,
        field="statut_cle",
        categories=_status_categories(),
        color=STATUS_STYLE["erreur"][0],
        outline="#ffffff",
        width=0.3,
        size=3.0,
    )


def links_style() -> LayerStyle:
    """Hospital → site lines coloured by status (``statut_cle``)."""
    return LayerStyle(
        name="zoning — liens",
        geometry=LINE,
        field="statut_cle",
        categories=_status_categories(),
        color=STATUS_STYLE["erreur"][0],
        width=0.6,
    )
