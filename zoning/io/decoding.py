"""Bytes of a CSV file to text, the encoding decided line by line.

UTF-8 first, Windows-1252 for a line that is not valid UTF-8 (its five unmapped bytes
as Latin-1), so that one pasted line cannot turn a whole file into mojibake; a UTF-8
BOM is dropped; UTF-16 with a BOM is read whole. The lines that needed Windows-1252
are logged and kept for the provenance. Lines are *physical* lines (LF, CRLF, lone
CR): the records are cut from them by :mod:`zoning.io.records`.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zoning.errors import InvalidInputError
from zoning.io.records import physical_lines

log = logging.getLogger("zoning.io.read")


@dataclass(frozen=True)
class Decoded:
    """Text of a file and how it was decoded."""

    lines: list[str]
    encoding: str
    cp1252_lines: tuple[int, ...]

    @property
    def text(self) -> str:
        """The whole text."""
        return "".join(self.lines)


def _decode_line(raw: bytes) -> tuple[str, bool]:
    """One line: UTF-8, else Windows-1252 (True), its five unmapped bytes as Latin-1."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="latin1fallback"), True


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("latin1fallback", _latin1_fallback)


def decode_lines(raw: bytes) -> Iterator[tuple[str, bool]]:
    """Decode ``raw`` line by line: (line with its end, True when it needed Windows-1252)."""
    for line in raw.splitlines(keepends=True):
        yield _decode_line(line)


def looks_binary(head: bytes) -> bool:
    """Many NUL bytes or mostly control bytes: not a text table (UTF-16 is checked before).

    A stray NUL in a cell of a real CSV is a hostile or damaged value, kept with its row;
    a binary file (a renamed workbook, an image, a program) has NULs all over.
    """
    if not head:
        return False
    if head.count(b"\x00") > max(1, len(head) // 100):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > len(head) * 0.1


def decode(raw: bytes, path: Path) -> Decoded:
    """The text of a CSV file, the encoding decided per line (see the module's doc)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(physical_lines(raw.decode("utf-16")), "utf-16", ())
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"{path.name} : fichier UTF-16 illisible (octet {exc.start})"
            ) from exc
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    if looks_binary(raw[:65536]):
        raise InvalidInputError(
            f"{path.name} : fichier binaire, pas un tableau CSV, Excel ou ODS "
            "(enregistrez-le en .csv, .xlsx ou .ods)"
        )
    parts: list[str] = []
    fallback: list[int] = []
    for number, (line, cp1252) in enumerate(decode_lines(raw), start=1):
        parts.append(line)
        if cp1252:
            fallback.append(number)
    if fallback:
        encoding = "cp1252" if len(fallback) == len(parts) else f"{encoding} + cp1252"
        shown = ", ".join(map(str, fallback[:10])) + ("…" if len(fallback) > 10 else "")
        log.warning(
            "%s: %d line(s) not valid UTF-8, read as Windows-1252 (lines %s)",
            path.name,
            len(fallback),
            shown,
        )
    return Decoded(parts, encoding, tuple(fallback))
