"""Write decree tables (an exported annex, a comparison) as XLSX, CSV or ODS.

Goes through the project's table writers (:mod:`zoning.io.write`: formulas
neutralised in text cells) into a temporary file renamed when complete (:mod:`zoning.io.atomic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.atomic import atomic_path, check_output
from zoning.io.cells import neutralise
from zoning.io.write import write_csv
from zoning.io.xlsx import Sheet, write_excel

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
    check_output(path)
    if suffix == ".xlsx":
        write_excel(path, all_sheets)
    elif suffix == ".csv":
        headers, rows = next(iter(sheets.values()))
        write_csv(path, headers, rows)
    else:
        with atomic_path(path) as tmp:
            _write_ods(tmp, all_sheets)


def _write_ods(path: Path, sheets: Mapping[str, Sheet]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, (headers, rows) in sheets.items():
            frame = pd.DataFrame([[neutralise(v) for v in r] for r in rows], columns=list(headers))
            frame.to_excel(writer, sheet_name=name[:31], index=False)
