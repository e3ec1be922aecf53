"""Layers for a GIS (QGIS): ``zoning export`` writes them as a GeoPackage, FlatGeobuf or
Shapefile (:mod:`zoning.io.gpkg`), coloured like the HTML maps.

``build`` gathers the layers and their provenance, ``layers`` makes the zoning's layers
(communes, changes, QPV, départements), ``posts`` a batch's sites and lines, ``styles``
their QGIS styles.
"""
