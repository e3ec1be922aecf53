"""Large CSV files read as a stream of records, by the same parser as every table.

``zoning assign`` reads millions of rows: the file is not held in memory, but its
lines are decoded as :func:`zoning.io.read.decode` decodes them (UTF-8, else
Windows-1252, line by line; or the encoding the user names) and split into records by
:func:`zoning.io.records.iter_records`, so that an unclosed quote, a line break inside
a quoted cell or a row with more values than headers get the same answer as in
``batch``: the record is read, or the file refused with its line.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from zoning.errors import InvalidInputError
from zoning.io.decoding import _decode_line, looks_binary
from zoning.io.read import WORKBOOK_MAGIC
from zoning.io.records import (
    SNIFF_LINES,
    iter_records,
    physical_lines,
    refuse_extra,
    sniff_delimiter,
)

log = logging.getLogger(__name__)

_BLOCK = 1 << 20
#: Bytes read, at most, to sniff the delimiter of a streamed file.
_SNIFF_BYTES = 4 << 20


def text_encoding(name: str, path: Path | None = None) -> str:
    """``name`` if it is a text encoding Python knows (« auto » kept), else refused.

    Raises
    ------
    InvalidInputError
        Unknown codec, or one that does not turn bytes into text (``rot13``, ``zlib``).
    """
    if name == "auto":
        return name
    where = f"{path.name} : " if path is not None else ""
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise InvalidInputError(
            f"{where}encodage « {name} » inconnu ou qui n'est pas un encodage de texte "
            "(essayez utf-8, cp1252, latin-1 ou auto)"
        )
    return info.name


def _byte_lines(handle: BinaryIO) -> Iterator[bytes]:
    """Physical lines of a binary file (LF, CRLF or a lone CR), ends kept, by blocks."""
    rest = b""
    while block := handle.read(_BLOCK):
        parts = (rest + block).splitlines(keepends=True)
        rest = parts.pop()
        if rest.endswith(b"\n"):  # a whole line (LF or CRLF)
            parts.append(rest)
            rest = b""
        # A last part ending in a lone CR may be half a CRLF; one without an end is cut.
        yield from parts
    if rest:
        yield rest


class DecodedLines:
    """The decoded physical lines of a binary file; ``cp1252_lines`` as :func:`decode`.

    ``encoding`` « auto »: UTF-8 line by line, Windows-1252 for a line that is not (a
    UTF-8 BOM is dropped); another encoding decodes every line with it, and a line it
    cannot decode stops the run with its number.
    """

    def __init__(self, handle: BinaryIO, name: str, encoding: str = "auto") -> None:
        self._handle = handle
        self.name = name
        self.encoding = encoding
        self.count = 0
        self.cp1252_lines: list[int] = []

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in _byte_lines(self._handle):
            self.count += 1
            if first and raw.startswith(codecs.BOM_UTF8) and self.encoding == "auto":
                raw = raw[len(codecs.BOM_UTF8) :]
            first = False
            if self.encoding != "auto":
                try:
                    yield raw.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    raise InvalidInputError(
                        f"{self.name} : ligne {self.count} : illisible en {self.encoding} "
                        f"(octet {exc.start + 1}) ; essayez --encoding auto"
                    ) from exc
                continue
            text, cp1252 = _decode_line(raw)
            if cp1252:
                self.cp1252_lines.append(self.count)
            yield text


def records_of(
    handle: BinaryIO, sep: str, name: str, encoding: str = "auto"
) -> tuple[DecodedLines, Iterator[tuple[int, list[str]]]]:
    """The decoded lines of ``handle`` and its records (start line, cells not stripped)."""
    lines = DecodedLines(handle, name, encoding)
    return lines, iter_records(lines, sep, name, strip=False)


def sniff_file(path: Path, encoding: str = "auto") -> str:
    """The delimiter of a (possibly huge) CSV file, from its first records."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    enc = "utf-8" if encoding == "auto" else encoding
    if encoding == "auto":
        text = "".join(_decode_line(line)[0] for line in head.splitlines(keepends=True))
    else:
        text = head.decode(enc, errors="replace")
    return sniff_delimiter(physical_lines(text)[:SNIFF_LINES])


def check_text_file(path: Path) -> None:
    """Refuse an empty, binary, UTF-16 or workbook file given where streamed CSV is read."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise InvalidInputError(f"{path.name} : fichier vide")
    if head.startswith(WORKBOOK_MAGIC):
        raise InvalidInputError(
            f"{path.name} : c'est un classeur (Excel/ODS), pas un CSV : enregistrez-le en CSV "
            "ou en Parquet"
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInputError(
            f"{path.name} : fichier UTF-16 : enregistrez-le en CSV UTF-8 pour ce traitement"
        )
    if looks_binary(head):
        raise InvalidInputError(f"{path.name} : fichier binaire, pas un CSV")


def check_columns(
    path: Path,
    names: Sequence[str],
    duplicated: Mapping[str, Sequence[str]] | None,
    lon_col: str,
    lat_col: str,
) -> None:
    """Refuse a file whose coordinate columns are missing or given twice (which one?)."""
    if duplicated is None:
        duplicated = {n: [n] for n in names if list(names).count(n) > 1}
    twice = [c for c in (lon_col, lat_col) if c in duplicated]
    if twice:
        raise InvalidInputError(
            f"{path.name} : colonne(s) {', '.join(twice)} en double : laquelle utiliser ?"
        )
    missing = [c for c in (lon_col, lat_col) if c not in names]
    if missing:
        raise InvalidInputError(
            f"{path.name} : colonne(s) {', '.join(missing)} absente(s) ; colonnes du fichier : "
            f"{_shown(names)} (indiquez-les avec --lon-col et --lat-col)"
        )


def _shown(names: Sequence[str], most: int = 30) -> str:
    """The first column names, for a message (a file may have thousands)."""
    more = f"… ({len(names)} colonnes)" if len(names) > most else ""
    return ", ".join(map(str, names[:most])) + more


def record_frames(
    path: Path,
    records: Iterator[tuple[int, list[str]]],
    sep: str,
    lon_col: str,
    lat_col: str,
    chunk_size: int,
) -> Iterator[Any]:
    """DataFrames of text of at most ``chunk_size`` records; the first record is the header.

    A blank line is no row (as before); a record with more non-empty values than
    headers is refused with its line, as ``batch`` refuses it.
    """
    import pandas as pd

    from zoning.io.read import unique_headers

    first = next(records, None)
    if first is None:
        raise InvalidInputError(f"{path.name} : fichier vide")
    cells = [c.strip() for c in first[1]]
    while cells and not cells[-1]:
        cells.pop()
    headers, duplicated = unique_headers(cells)
    check_columns(path, headers, duplicated, lon_col, lat_col)
    width = len(headers)

    def frame(batch: list[list[str]]) -> pd.DataFrame:
        columns = list(zip(*batch, strict=True)) if batch else [()] * width
        return pd.DataFrame(dict(zip(headers, columns, strict=True)), dtype=str)

    batch: list[list[str]] = []
    yielded = False
    for line, row in records:
        if len(row) != width:
            if not row:
                continue  # a blank line
            if len(row) > width and any(c.strip() for c in row[width:]):
                refuse_extra(path.name, line, len(row), width, sep)
            row = (row + [""] * width)[:width]
        batch.append(row)
        if len(batch) >= chunk_size:
            yield frame(batch)
            batch, yielded = [], True
    if batch or not yielded:
        yield frame(batch)


__all__ = [
    "DecodedLines",
    "check_columns",
    "check_text_file",
    "record_frames",
    "records_of",
    "sniff_file",
    "text_encoding",
]
