"""Rows of a table that are not records: totals, subtotals, notes and sources.

People add them to the tables they make: « TOTAL » or « Sous-total Creuse » with sums,
« Source : … » and « NB : … » under the table, a line of comments after a blank row.
They are recognised here and set apart with their line and why, never given to a
command as one more record (a TOTAL row counted as a dossier is a wrong answer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zoning.io.text import fold
from zoning.io.values import to_number

#: The labels that make a row a total (folded: lower case, no accents).
_TOTAL_LABELS = ("sous total", "sous totaux", "total", "totaux", "somme", "moyenne", "cumul")
_TOTAL = re.compile(rf"^({'|'.join(_TOTAL_LABELS)})\b")
#: The words a total's label starts with, in the raw text whatever its case: a quick test
#: before reading every cell (these words have no accent for folding to take off).
_TOTAL_WORDS = re.compile("|".join(dict.fromkeys(w.split()[0] for w in _TOTAL_LABELS)), re.I)
#: A first label that makes the row a note (« Source : DREES », « NB : … »).
_NOTE = re.compile(r"^\s*(sources?|nb|n\.b\.|notes?|remarques?|lecture|champ)\s*:", re.I)

TOTAL = "ligne de total"
NOTE = "note"


def _filled(cells: Sequence[str]) -> list[str]:
    return [c.strip() for c in cells if c.strip()]


def row_kind(cells: Sequence[str]) -> str | None:
    """« ligne de total », « note » or ``None`` (a record), from the row alone."""
    filled = _filled(cells)
    if not filled:
        return None
    first = filled[0]
    if _NOTE.match(first):
        return NOTE
    # The label may stand in any column (columns in any order): one cell says « Total »,
    # every other filled cell is a number.
    # Most rows hold no total's label: look for its words before reading every cell.
    if not _TOTAL_WORDS.search("\n".join(filled)):
        return None
    words = [c for c in filled if to_number(c) is None]
    if len(words) == 1 and _TOTAL.match(fold(words[0])):
        return TOTAL
    return None


def set_apart(
    rows: Sequence[Sequence[str]], lines: Sequence[int]
) -> tuple[list[int], list[tuple[int, str, str]]]:
    """Indexes of the records to keep, and (line, kind, reason) of the rows set apart.

    Besides totals and notes found by :func:`row_kind`, the rows after the last blank
    row of the table that hold a single cell each are a comment block, not records.
    """
    keep: list[int] = []
    apart: list[tuple[int, str, str]] = []
    last_blank = max((i for i, r in enumerate(rows) if not _filled(r)), default=-1)
    # (Not in a table of one column, where every record is a single cell.)
    tail_single = (
        last_blank >= 0
        and max((len(_filled(r)) for r in rows), default=0) > 1
        and all(len(_filled(r)) == 1 for r in rows[last_blank + 1 :])
    )
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        kind = row_kind(row)
        if kind is None and tail_single and i > last_blank:
            kind = NOTE
        if kind is None:
            keep.append(i)
            continue
        text = " ".join(_filled(row))[:80]
        apart.append((line, kind, f"ligne {line} : {kind}, ignorée (« {text} »)"))
    return keep, apart
