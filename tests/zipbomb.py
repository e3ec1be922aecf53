"""A real decompression bomb, made at test time (never committed): an xlsx whose sheet
part expands to a chosen size, about a thousand times its compressed size."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

#: One row, then a megabyte of whitespace (XML allows it between elements): long runs
#: of one byte are what deflate compresses best (about 1 000 to 1).
ROW = b'<row><c t="inlineStr"><is><t>A</t></is></c></row>' + b" " * (1 << 20)
HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def make_bomb(path: Path, expanded: int) -> Path:
    """Write at ``path`` an xlsx whose first sheet expands to about ``expanded`` bytes."""
    seed = path.with_name(path.stem + ".graine.xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "lon", "lat"])
    book.save(seed)
    with (
        zipfile.ZipFile(seed) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            with dst.open(item.filename, "w", force_zip64=True) as out:
                out.write(HEAD)
                for _ in range(max(1, expanded // len(ROW))):
                    out.write(ROW)
                out.write(b"</sheetData></worksheet>")
    seed.unlink()
    return path
