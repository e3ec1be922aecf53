"""A user's table as read (:class:`Table`): its cells as text, each row with its line.

Made by :func:`zoning.io.read.read_table`; what the commands ask of it (records, a
frame, the ragged rows and repeated headers refused, what to tell the user) lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.records import refuse_extra


@dataclass(frozen=True)
class Table:
    """Cells of a user's table as text; ``lines[i]`` is the file line (or sheet row) of ``rows[i]``.

    Attributes
    ----------
    headers : list of str
        Header cells, stripped; an empty one is named ``colonne_<n>`` and a repeated
        one gets `` (2)``, `` (3)``… (see ``duplicated``).
    cp1252_lines : tuple of int
        Line numbers decoded as Windows-1252 because they were not valid UTF-8.
    duplicated : dict
        Header -> the names it was given, for headers present more than once.
    sheet : str or None
        The sheet read, for workbooks; ``sheets`` all the workbook's sheets.
    skipped_rows : list of (int, str, str)
        Rows that are not records (totals, subtotals, notes, sources): (line, kind,
        French reason). Never in ``rows``; a command lists them apart, never counts them.
    notes : list of str
        What the reader did that the user should know (« colonne masquée : C »,
        « ligne masquée : 12 », « cellules fusionnées A3:A5 appliquées à chaque ligne »).
    """

    path: Path
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str | None
    header_line: int
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    cp1252_lines: tuple[int, ...] = ()
    duplicated: dict[str, list[str]] = field(default_factory=dict)
    skipped_rows: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name, as messages show it."""
        return self.path.name

    def said(self) -> list[str]:
        """What the reader must tell the user, in French: the other sheets, hidden rows
        and columns, merged cells, and each row set apart (total, note), by line."""
        others = [s for s in self.sheets if s != self.sheet]
        out = [f"autres feuilles du classeur : {', '.join(others)}"] if others else []
        return [*out, *self.notes, *(reason for _, _, reason in self.skipped_rows)]

    def records(self) -> list[dict[str, str]]:
        """Rows as header -> cell (missing cells empty, extra cells dropped)."""
        width = len(self.headers)
        return [dict(zip(self.headers, (r + [""] * width)[:width], strict=True)) for r in self.rows]

    def ragged(self) -> list[tuple[int, int]]:
        """(line, number of cells) of rows with non-empty cells beyond the header's width."""
        width = len(self.headers)
        return [
            (line, len(row))
            for row, line in zip(self.rows, self.lines, strict=True)
            if any(c.strip() for c in row[width:])
        ]

    def refuse_ragged(self) -> None:
        """Stop on the first row with more values than headers (a lost value otherwise)."""
        for line, count in self.ragged():
            refuse_extra(self.name, line, count, len(self.headers), self.delimiter)

    def refuse_duplicates(self, used: Iterable[str]) -> None:
        """Stop when a column we would use has a header given to several columns."""
        used = set(used)
        for header, names in self.duplicated.items():
            if used & set(names):
                raise InvalidInputError(
                    f"{self.name} : ligne {self.header_line} : la colonne « {header} » "
                    f"apparaît {len(names)} fois ; renommez-les pour dire laquelle utiliser"
                )

    def frame(self) -> Any:
        """The rows as a :class:`pandas.DataFrame` of strings (headers as columns)."""
        import pandas as pd

        width = len(self.headers)
        body = [(r + [""] * width)[:width] for r in self.rows]
        frame = pd.DataFrame(body, columns=self.headers, dtype=object)
        if self.delimiter is not None:
            frame.attrs["delimiter"] = self.delimiter
        frame.attrs["cp1252_lines"] = list(self.cp1252_lines)
        frame.attrs["lines"] = list(self.lines)
        return frame
