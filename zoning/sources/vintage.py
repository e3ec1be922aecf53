"""Commune-code vintages (kept free of heavy imports: ``zoning check`` uses it)."""

from __future__ import annotations

from datetime import date


def vintage_date(year: int) -> date:
    """The reference date of COG vintage ``year``: the state of communes on 1 January."""
    return date(year, 1, 1)
