"""Write decree tables (an exported annex, a comparison) as XLSX, CSV or ODS.

Goes through the project's table writers (:mod:`zoning.report.tables`: formulas
neutralised in text cells) into a temporary file renamed when complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.report.tables import neutralise, write_csv, write_excel

Sheet = tuple[Sequence[str], Sequence[Sequence[Any]]]
SUFFIXES = (".xlsx", ".csv", ".ods")


def write_table(
    path: Path, sheets: Mapping[str, Sheet], provenance: Sequence[Sequence[Any]] = ()
) -> None:
    """Write ``sheets`` (name -> headers, rows) to ``path`` by its suffix.

    XLSX and ODS get one sheet each plus a « provenance » sheet; CSV gets the first
    sheet only (its provenance is in the command's output).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInputError(
            f"{path.name} : format de sortie non pris en charge ({', '.join(SUFFIXES)})"
        )
    all_sheets = dict(sheets)
    if provenance:
        all_sheets["provenance"] = (["clé", "valeur"], [list(r) for r in provenance])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".xlsx":
            write_excel(tmp, all_sheets)
        elif suffix == ".csv":
            headers, rows = next(iter(sheets.values()))
            write_csv(tmp, headers, rows)
        else:
            _write_ods(tmp, all_sheets)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_ods(path: Path, sheets: Mapping[str, Sheet]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, (headers, rows) in sheets.items():
            frame = pd.DataFrame([[neutralise(v) for v in r] for r in rows], columns=list(headers))
            frame.to_excel(writer, sheet_name=name[:31], index=False)
