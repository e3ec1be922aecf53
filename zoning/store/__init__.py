"""The zoning store: built once from the sources, then read by every lookup.

``build`` writes it (``zoning data build``); :class:`ZoningStore` reads it.
"""

from zoning.store.store import ZoningStore

__all__ = ["ZoningStore"]
