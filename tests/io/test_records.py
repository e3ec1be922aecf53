"""CSV records, not lines: multi-line quoted answers, physical line numbers, big cells.

The files are synthetic (made here): Démarches Simplifiées-like exports whose text
answers hold line breaks (LF, CRLF, lone CR) and punctuation, in UTF-8 with a BOM and
in Windows-1252, separated by « ; » and by « , ». Each expected cell and line number
is computed here from the rows written, never by the reader.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest

from zoning.errors import InvalidInputError
from zoning.io.read import read_table

HEADERS = ["Numéro de dossier", "Nom du demandeur", "Projet médical", "Commune du site",
           "Code INSEE", "Date de début"]  # fmt: skip
BREAKS = ["\n", "\r\n", "\r"]


def _answer(rng: random.Random, i: int) -> str:
    """A free-text answer of several lines, with commas, semicolons and quotes."""
    parts = [f"Ligne {k}, avec virgules, points-virgules ; et « guillemets » \"{i}\""
             for k in range(rng.randint(2, 6))]  # fmt: skip
    return rng.choice(BREAKS).join(parts)


def _rows(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [
        [f"{1000 + i}", f"Docteur Fictif n°{i} é", _answer(rng, i) if i % 3 else "court",
         "Guéret", "23096", "01/11/2024"]
        for i in range(n)
    ]  # fmt: skip


def physical_lines(text: str) -> list[str]:
    """The test's own line splitter (LF, CRLF, lone CR), apart from the reader's."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _write(path: Path, rows: list[list[str]], sep: str, encoding: str) -> list[int]:
    """Write a DS-like export; returns the physical line where each data row starts."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    starts = []
    writer.writerow(HEADERS)
    for row in rows:
        starts.append(len(physical_lines(buf.getvalue())) + 1)
        writer.writerow(row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return starts


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_ds_export_with_multiline_answers(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = _rows(40, seed=len(sep) + len(encoding))
    path = tmp_path / f"export-ds-{encoding}.csv"
    starts = _write(path, rows, sep, encoding)
    table = read_table(path)
    assert table.delimiter == sep
    assert table.headers == HEADERS
    assert table.header_line == 1
    assert table.rows == [[c.strip() for c in r] for r in rows]
    assert table.lines == starts  # physical lines: a record spanning 4 lines counts 4


def test_record_line_is_where_it_starts() -> None:
    from zoning.io.records import iter_records, physical_lines

    text = 'a;b\n1;"x\ny\nz"\n2;w\n'
    assert list(iter_records(physical_lines(text), ";", "f.csv")) == [
        (1, ["a", "b"]), (2, ["1", "x\ny\nz"]), (5, ["2", "w"])
    ]  # fmt: skip


def test_quote_doubled_and_lone_cr_inside_a_cell() -> None:
    from zoning.io.records import iter_records, physical_lines

    text = 'a;b\r\n1;"il a dit ""oui""\rpuis non"\r\n2;z'
    records = list(iter_records(physical_lines(text), ";", "f.csv"))
    assert records == [(1, ["a", "b"]), (2, ["1", 'il a dit "oui"\rpuis non']), (4, ["2", "z"])]


def test_unclosed_quote_names_the_line_where_it_opened(tmp_path: Path) -> None:
    lines = ["id;nom;lon;lat"] + [f"A{i};nom {i};1.87;46.16" for i in range(1, 22)]
    lines[7] = 'A7;"nom 7;1.87;46.16'
    path = tmp_path / "guillemet.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"guillemet\.csv : ligne 8 : guillemet ouvert"):
        read_table(path)


def test_no_field_size_limit_and_wide_rows(tmp_path: Path) -> None:
    big = tmp_path / "grande-cellule.csv"
    cell = "x" * 1_200_000
    big.write_text(f'id;texte;commune\nA1;"{cell}";Guéret\n', encoding="utf-8")
    table = read_table(big)
    assert table.rows == [["A1", cell, "Guéret"]]
    wide = tmp_path / "large.csv"
    wide.write_text(";".join(f"c{i}" for i in range(50_000)) + "\n" + ";".join("1" * 50_000))
    table = read_table(wide)
    assert len(table.headers) == 50_000 and len(table.rows[0]) == 50_000


def test_sniffer_reads_records_not_lines() -> None:
    from zoning.io.records import physical_lines, sniff_delimiter

    # Continuation lines of answers, split evenly by « , »: lines would elect « , ».
    answer = "\n".join("un, deux, trois" for _ in range(8))
    text = "id;texte;commune\n" + "".join(f'A{i};"{answer}";Guéret\n' for i in range(5))
    assert sniff_delimiter(physical_lines(text)) == ";"


def test_form_feed_is_a_character_not_a_line_end() -> None:
    from zoning.io.records import physical_lines

    assert physical_lines("a;b\x0cc\n1;2\r3;4\r\n") == ["a;b\x0cc\n", "1;2\r", "3;4\r\n"]


def test_ds_export_whose_answers_outnumber_its_records(tmp_path: Path) -> None:
    """Issue 23 defect 1: few records, long answers full of commas, in « ; »."""
    answer = "\n".join(f"Point {k}, détail, suite, fin" for k in range(12))
    path = tmp_path / "export-ds.csv"
    rows = [[str(i), answer, "Guéret", "23096"] for i in range(4)]
    body = "".join(";".join([r[0], f'"{r[1]}"', r[2], r[3]]) + "\r\n" for r in rows)
    path.write_bytes(("Numéro;Projet;Commune;Code INSEE\r\n" + body).encode("utf-8-sig"))
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.headers == ["Numéro", "Projet", "Commune", "Code INSEE"]
    assert table.rows == rows
    assert table.lines == [2 + 12 * i for i in range(4)]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_streamed_lines_match_whatever_the_block(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """assign's streamed lines: CRLF cut between two blocks stays one line end."""
    from zoning.io import csvstream

    text = 'id;nom\r\nA1;"deux\rlignes"\r\nA2;"trois\nlignes\r\nici"\rA3;Hélène\n\nA4;x'
    raw = text.encode("utf-8-sig")
    monkeypatch.setattr(csvstream, "_BLOCK", block)
    lines = csvstream.DecodedLines(io.BytesIO(raw), "f.csv")
    assert list(lines) == physical_lines(text)
    _, records = csvstream.records_of(io.BytesIO(raw), ";", "f.csv")
    assert [line for line, _ in records] == [1, 2, 4, 7, 8, 9]
