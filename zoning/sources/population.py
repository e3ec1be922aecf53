"""Population by commune (INSEE populations légales)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.sources._tables import pick_columns, read_table
from zoning.sources.manifest import Source


def read_population(path: Path, source: Source) -> pd.DataFrame:
    """``code, population`` (municipal population, integer)."""
    frame = pick_columns(read_table(path, sep=";"), source.fields, path)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").fillna(0).astype(int)
    return frame
