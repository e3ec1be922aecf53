"""Reading delimited text sources with a message that names the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.errors import SourceFormatError


def read_table(path: Path, *, sep: str = ",", required: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV as strings (codes keep their leading zeros) and check its columns.

    Raises
    ------
    SourceFormatError
        When the file cannot be parsed (with the line pandas reports) or lacks a column.
    """
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SourceFormatError(f"{path} : fichier illisible ({exc})") from exc
    missing = [c for c in (required or []) if c not in frame.columns]
    if missing:
        raise SourceFormatError(
            f"{path} : colonne(s) manquante(s) {', '.join(missing)} "
            f"(colonnes trouvées : {', '.join(map(str, frame.columns))})"
        )
    return frame


def pick_columns(frame: pd.DataFrame, fields: dict[str, str], path: Path) -> pd.DataFrame:
    """Rename the manifest's ``fields`` (ours -> theirs) to our names, keeping only those."""
    missing = [theirs for theirs in fields.values() if theirs not in frame.columns]
    if missing:
        raise SourceFormatError(
            f"{path} : colonne(s) manquante(s) {', '.join(missing)} "
            f"(colonnes trouvées : {', '.join(map(str, frame.columns))})"
        )
    return frame[list(fields.values())].rename(columns={v: k for k, v in fields.items()})
