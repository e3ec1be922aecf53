"""Locating places: commune codes, postal codes, points, (and geocoding) -> zones."""
