"""La Poste's « base officielle des codes postaux »: postal code <-> INSEE code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.sources._tables import pick_columns, read_table
from zoning.sources.manifest import Source


def read_laposte(path: Path, source: Source) -> pd.DataFrame:
    """``code, name, postcode, line5, label, lat, lon`` (lat/lon: commune reference point)."""
    frame = pick_columns(read_table(path, sep=";"), source.fields, path)
    frame["postcode"] = frame["postcode"].str.zfill(5)
    for col in ("lat", "lon"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame
