"""zoning: under-served zones (ZIP/ZAC/QPV) for French regional health agencies.

The package follows the data's path::

    sources -> store -> locate -> rules -> report / map

Heavy modules (geopandas, folium) are imported lazily so that ``zoning check``
starts fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
