"""Locating places: commune codes, postal codes, points, (and geocoding) -> zones.

* :mod:`.lookup` — the ways in: a commune code, a postal code and name, a point, each
  answered with a :class:`~.placement.Placement`; many at once for the batch;
* :mod:`.placement` — that answer, and its verdict in words;
* :mod:`.placing` — how a placement is built from the store's rows;
* :mod:`.movements` — commune codes through the INSEE movements, later communes;
* :mod:`.classes` — the zone classes and a commune's class under a decree;
* :mod:`.search` — one free-text query to the right way in;
* :mod:`.stream` — ``zoning assign``: large point files, chunk by chunk;
* :mod:`.geocode` — addresses and FINESS numbers to coordinates.
"""
