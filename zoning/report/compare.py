"""What ``zoning compare`` writes beside two decrees' class changes: their provenance.

The comparison itself is :mod:`zoning.store.decree_compare`.
"""

from __future__ import annotations

from typing import Any

from zoning.store.decree_compare import Comparison
from zoning.store.store import ZoningStore


def provenance_rows(store: ZoningStore, comparison: Comparison) -> list[list[Any]]:
    """Key/value rows: both decrees, the population vintage, the store, the tool."""
    from zoning import __version__

    prov = store.provenance()
    return [
        ["arrêté avant", comparison.before.provenance()],
        ["arrêté après", comparison.after.provenance()],
        ["origine des classes (avant)", comparison.before.classes_origin],
        ["origine des classes (après)", comparison.after.classes_origin],
        ["population", prov["sources"].get("population", "")],
        ["millésime des codes communes", f"COG {prov['cog_vintage']}"],
        ["base de zonage construite le", prov["store_built_at"]],
        ["outil", f"zoning {__version__}"],
    ]
