"""Small helpers shared by the geocoding tests."""

from __future__ import annotations

import math
from collections.abc import Callable

from zoning.locate.geocode import Geocoder

#: The ``make_geocoder`` fixture: keyword arguments of :class:`Geocoder`, plus ``url``.
MakeGeocoder = Callable[..., Geocoder]

NA_DEPARTEMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
