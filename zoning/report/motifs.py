"""The codes of reasons present in a checked batch, with the catalogue's explanation:
the results workbook's sheet « Motifs » and the API's ``motifs``.

Read from the result table by the schema's names (:mod:`zoning.report.schema`), so the
sheet says exactly what the rows say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from zoning.reasons import SEPARATOR, catalogue
from zoning.report.schema import FUNDING_CODE, PREMIUM_CODE, REASON_CODES, distance_code

#: Headers of the sheet « Motifs ».
MOTIF_HEADERS = ["code", "titre", "verdict", "nombre de lignes", "sens", "pourquoi", "que faire"]


def plain(text: str) -> str:
    """The catalogue's text for a cell: its `command` marks (code on the « Aide » page)
    taken off."""
    return text.replace("`", "")


def code_columns(headers: Sequence[str]) -> list[int]:
    """Positions of every column of codes in a result table."""
    wanted = {REASON_CODES, PREMIUM_CODE, FUNDING_CODE}
    k = 1
    while distance_code(k) in headers:
        wanted.add(distance_code(k))
        k += 1
    return [i for i, name in enumerate(headers) if name in wanted]


def row_codes(row: Sequence[Any], columns: Sequence[int]) -> set[str]:
    """The codes one result row gives, in any of its columns of codes."""
    found: set[str] = set()
    for i in columns:
        cell = row[i] if i < len(row) else None
        if cell:
            found.update(c.strip() for c in str(cell).split(SEPARATOR.strip()) if c.strip())
    return found


def paired(texts: object, codes: object) -> list[dict[str, str | None]]:
    """The reasons of a row as (code, text) items, from its two cells (the page's list).

    When a text itself holds the separator (a quoted cell), the two cells no longer
    split alike: the text is then given once, after the codes."""
    if not texts and not codes:
        return []
    words = str(texts or "").split(SEPARATOR)
    marks = [c.strip() for c in str(codes or "").split(SEPARATOR.strip()) if c.strip()]
    out: list[dict[str, str | None]]
    if len(words) == len(marks):
        out = [{"code": c, "text": t} for c, t in zip(marks, words, strict=True)]
        return out
    out = [{"code": c, "text": ""} for c in marks]
    return [*out, {"code": None, "text": str(texts or "")}]


def count_codes(headers: Sequence[str], table: Sequence[Sequence[Any]]) -> Counter[str]:
    """How many rows give each code."""
    columns = code_columns(headers)
    counts: Counter[str] = Counter()
    for row in table:
        counts.update(row_codes(row, columns))
    return counts


def motif_rows(headers: Sequence[str], table: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """One row per code present: its entry in the catalogue and the number of rows,
    in the catalogue's order (grouped by domain); a code the catalogue lacks comes
    last, said so."""
    counts = count_codes(headers, table)
    known = catalogue()
    rows: list[list[Any]] = []
    for code, entry in known.items():
        if code in counts:
            rows.append(
                [
                    code,
                    plain(entry.titre),
                    entry.verdict,
                    counts[code],
                    plain(entry.sens),
                    plain(entry.pourquoi),
                    "\n".join(plain(step) for step in entry.que_faire),
                ]
            )
    for code in sorted(set(counts) - set(known)):
        rows.append([code, "(code absent du catalogue)", "", counts[code], "", "", ""])
    return rows
