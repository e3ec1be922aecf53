"""CSV records from text lines: the one record parser of every command.

A CSV record is not a line: Démarches Simplifiées quotes text answers that hold line
breaks (LF, CRLF or a lone CR), and ``""`` stands for a quote inside a quoted cell.
Records are split by Python's :mod:`csv` parser, in strict mode, fed with the file's
*physical* lines (each decoded on its own, :mod:`zoning.io.read`), so that:

- every record knows the physical line it starts on (a record starting on line 7 and
  spanning three lines is « ligne 7 » in every message);
- an unclosed quote is refused, naming the line where it opened, instead of swallowing
  the rest of the file into one cell;
- no cell size limit below what a real cell holds (``csv.field_size_limit`` raised),
  and the delimiter is sniffed on records, not lines.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from zoning.errors import InvalidInputError

DELIMITERS = (";", ",", "\t", "|")
#: Records looked at to choose the delimiter.
SNIFF_RECORDS = 30
#: Physical lines looked at, at most, to choose the delimiter (a record may be long).
SNIFF_LINES = 2000

# The default limit (128 KiB) refuses a long free-text answer; a C long bounds it.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class _Lines:
    """An iterator of lines counting them and remembering where a quote opened.

    The quote state follows the parity of ``"`` in each line: ``""`` inside a quoted
    cell toggles twice, so an odd count changes the state. Only used to name the line
    of an unclosed quote; the cells themselves come from :mod:`csv`.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0
        self.in_quote = False
        self.opened = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        if line.count('"') % 2:
            self.in_quote = not self.in_quote
            if self.in_quote:
                self.opened = self.count
        return line


def iter_records(
    lines: Iterable[str], sep: str, name: str, *, strip: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the record starts, its cells) for each CSV record.

    ``lines`` keep their line ends (a CR inside a quoted cell is part of the cell).

    Raises
    ------
    InvalidInputError
        An unclosed quote (the message names ``name`` and the line where the quote
        opened) or another malformed record.
    """
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=sep, strict=True)
    start = 1
    try:
        for row in reader:
            yield start, [c.strip() for c in row] if strip else row
            start = source.count + 1
    except csv.Error as exc:
        opened = source.opened if source.opened >= start else start
        if "end of data" in str(exc):
            raise InvalidInputError(
                f"{name} : ligne {opened} : guillemet ouvert et jamais fermé (la suite du "
                "fichier serait lue comme une seule cellule) : fermez-le ou retirez-le"
            ) from exc
        hint = f" ; guillemet ouvert ligne {opened} ?" if opened < source.count else ""
        raise InvalidInputError(
            f"{name} : ligne {source.count} : CSV mal formé ({exc}{hint})"
        ) from exc


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def physical_lines(text: str) -> list[str]:
    """``text`` cut after each LF, CRLF or lone CR, ends kept.

    Not :meth:`str.splitlines`, which also cuts at form feeds, « \\x1c » and Unicode
    separators: those are characters of a cell, not line ends, for a CSV.
    """
    return _LINE.findall(text)


def _sample(lines: Sequence[str], sep: str) -> list[int]:
    """Number of cells of each of the first records with ``sep`` (parsing stops quietly)."""
    widths: list[int] = []
    reader = csv.reader(iter(lines), delimiter=sep)
    try:
        for row in reader:
            if any(c.strip() for c in row):
                widths.append(len(row))
            if len(widths) >= SNIFF_RECORDS:
                break
    except csv.Error:
        pass  # a cell cut by the end of the sample: the records before it decide
    return widths


def _quote_evidence(text: str, sep: str) -> int:
    """How often ``sep`` stands right before an opening or after a closing quote."""
    return text.count(sep + '"') + text.count('"' + sep)


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The separator that splits most sample records into the same number (> 1) of cells.

    ``lines`` are the file's first physical lines with their ends. Consistency wins over
    width: a separator that also appears inside cells (« | » in a text, « , » in a
    French number) splits records unevenly, the real one evenly; a title line above the
    header is one cell whatever the separator. When cells are quoted, only a separator
    found beside the quotes is a candidate: with another one the quotes are not read,
    and the lines of a multi-line answer (« un, deux, trois ») would each count as a
    record split evenly.
    """
    lines = list(lines[:SNIFF_LINES])
    text = "".join(lines)
    evidence = {sep: _quote_evidence(text, sep) for sep in DELIMITERS}
    most = max(evidence.values())
    candidates = [s for s in DELIMITERS if evidence[s] * 2 >= most] if most else DELIMITERS
    best, best_score = ",", (0, 0)
    for sep in candidates:
        counts = Counter(_sample(lines, sep))
        width, records_of_width = max(
            ((w, n) for w, n in counts.items() if w > 1), key=lambda wn: (wn[1], wn[0]),
            default=(0, 0),
        )  # fmt: skip
        score = (records_of_width, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def refuse_extra(name: str, line: int, count: int, width: int, sep: str | None) -> None:
    """A record with more non-empty values than headers: a value would be lost."""
    raise InvalidInputError(
        f"{name} : ligne {line} : {count} champ(s) au lieu de {width} "
        f"(séparateur « {sep} » ; guillemet non fermé ou séparateur en trop ?)"
    )
