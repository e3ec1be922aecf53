"""The doctors' zoning table (ZIP / ZAC / HZ ...), keyed by INSEE code or by postal
code + commune name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.errors import SourceFormatError
from zoning.sources._tables import pick_columns, read_table
from zoning.sources.manifest import Source


def read_zoning_table(path: Path, source: Source) -> pd.DataFrame:
    """Rows of the zoning file with our names, the class mapped, and the file's line number.

    Columns: ``line`` (1-based line in the file, header = 1), ``zone``, ``raw_zone`` and
    either ``code`` or ``postcode`` + ``name`` (``source.extra["key"]``).
    """
    frame = pick_columns(read_table(path), source.fields, path)
    frame.insert(0, "line", range(2, len(frame) + 2))
    classes: dict[str, str] = source.extra.get("classes", {})
    frame["raw_zone"] = frame["zone"].str.strip()
    frame["zone"] = frame["raw_zone"].map(classes)
    unknown = frame.loc[frame["zone"].isna() & (frame["raw_zone"] != "")]
    if len(unknown):
        first = unknown.iloc[0]
        raise SourceFormatError(
            f"{path}, ligne {first['line']} : classe de zonage inconnue « {first['raw_zone']} » "
            f"(classes connues : {', '.join(classes)})"
        )
    if "postcode" in frame:
        # Spreadsheets drop the leading zero of départements 01-09.
        frame["postcode"] = frame["postcode"].str.strip().str.zfill(5)
    if "code" in frame:
        frame["code"] = frame["code"].str.strip().str.zfill(5)
    return frame
