"""Geocoding of structures and hospitals: FINESS, BAN (addok), commune fallback.

Main entry points::

    from zoning.locate.geocode import geocode_one, Geocoder, GeocodeResult
    geocode_one(address="1 avenue Marc Aubrun", postcode="23000", city="Guéret")
    geocode_one(finess="230780041")

``zoning geocode`` (batch files) and ``zoning geocoder`` (a local offline addok) are
the command-line faces of this package.
"""

from __future__ import annotations

from zoning.locate.geocode.pipeline import Geocoder, default_geocoder, geocode_one
from zoning.locate.geocode.query import BatchOutcome, PlaceQuery
from zoning.locate.geocode.result import RESULT_COLUMNS, GeocodeResult

__all__ = [
    "RESULT_COLUMNS",
    "BatchOutcome",
    "GeocodeResult",
    "Geocoder",
    "PlaceQuery",
    "default_geocoder",
    "geocode_one",
]
