"""The one table reader, text folder and value parser, on the files people send."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from zoning.errors import InvalidInputError
from zoning.io.read import read_table
from zoning.io.text import fold, squash
from zoning.io.values import to_bool, to_date, to_number

HEADER = "Identifiant;Commune;Code INSEE"
ROWS = [("A1", "Guéret", "23096"), ("A2", "Aubusson", "23008"), ("A3", "Bellac", "87011")]


def _csv(rows: list[tuple[str, ...]]) -> str:
    return "\n".join([HEADER, *(";".join(r) for r in rows)]) + "\n"


def test_one_windows_1252_line_in_a_utf8_file_spoils_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mixte.csv"
    lines = _csv(ROWS).splitlines(keepends=True)
    raw = b"".join(
        line.encode("cp1252") if i == 1 else line.encode("utf-8") for i, line in enumerate(lines)
    )
    path.write_bytes(raw)
    table = read_table(path)
    assert [r[1] for r in table.rows] == ["Guéret", "Aubusson", "Bellac"]
    assert table.cp1252_lines == (2,)
    assert table.encoding == "utf-8 + cp1252"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_bom_and_utf16(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(bom + _csv(ROWS).replace(";", "\t").encode(encoding))
    table = read_table(path)
    assert table.headers == ["Identifiant", "Commune", "Code INSEE"]
    assert table.rows[0] == ["A1", "Guéret", "23096"] and table.delimiter == "\t"


def test_title_row_blank_rows_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "titre.csv"
    text = "Liste des candidats 2023\n\n" + _csv([ROWS[0], ("", "", ""), ROWS[1]]) + "\n\n"
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert table.header_line == 3
    assert table.lines == [4, 5, 6]  # the blank row inside is kept, the trailing ones go
    assert table.rows[1] == ["", "", ""]


def test_multiline_quoted_cell_keeps_the_next_rows_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(f'{HEADER}\nA1;"Guéret\nsur deux lignes";23096\nA2;Aubusson;23008\n', "utf-8")
    table = read_table(path)
    assert table.lines == [2, 4]


def _workbook(path: Path, rows: int) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Identifiant", "Commune", "Code INSEE", "Date"])
    for i in range(rows):
        ws.append([f"R{i + 1}", "Guéret", "23096", dt.datetime(2023, 11, 1)])
    book.save(path)
    return path


def _understate_dimension(path: Path, ref: str = "A1:D5") -> None:
    """Rewrite the sheet XML so that ``<dimension>`` claims fewer rows than there are."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>', text)
                else:
                    text = text.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>')
                assert f'<dimension ref="{ref}"/>' in text
                data = text.encode("utf-8")
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_understated_dimension_loses_no_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "dimension.xlsx", 22)
    _understate_dimension(path)
    # The defect this guards against: openpyxl's read-only mode trusts the tag.
    lazy = load_workbook(path, read_only=True).active
    assert lazy is not None and lazy.max_row == 5
    table = read_table(path)
    assert [r[0] for r in table.rows] == [f"R{i + 1}" for i in range(22)]
    assert table.lines == list(range(2, 24))
    assert table.rows[0][3] == "2023-11-01"  # a real Excel date, as ISO text


def test_file_kind_from_bytes_not_extension(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "vrai.xlsx", 3)
    fake_csv = tmp_path / "classeur.csv"
    fake_csv.write_bytes(book.read_bytes())
    assert len(read_table(fake_csv).rows) == 3
    fake_xlsx = tmp_path / "texte.xlsx"
    fake_xlsx.write_text(_csv(ROWS), encoding="utf-8")
    assert len(read_table(fake_xlsx).rows) == 3


def test_sheet_chosen_by_content_and_by_name(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Lisez-moi"
    first.append(["Ce classeur contient les candidatures"])
    data = book.create_sheet("Dossiers")
    data.append(["ID", "Numéro RPPS", "Date de prise de fonctions"])
    data.append([1, "10000000001", dt.datetime(2023, 11, 1)])
    path = tmp_path / "export.xlsx"
    book.save(path)
    from zoning.report.columns import score_header

    assert read_table(path, header_score=score_header).sheet == "Dossiers"
    assert read_table(path, "Lisez-moi").sheet == "Lisez-moi"
    with pytest.raises(InvalidInputError, match=r"export\.xlsx : pas de feuille « Avis »"):
        read_table(path, "Avis")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.csv", b"", "fichier vide"),
        ("blancs.csv", b"\n\n  \n", "fichier vide"),
        ("binaire.csv", bytes(range(256)) * 8, "fichier binaire"),
        ("page.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        ("chiffres.csv", b"1;2;3\n4;5;6\n", "aucune ligne d'en-t"),
        ("guillemet.csv", b'A;B\n"1;2\n3;4\n', "ligne 2 : guillemet ouvert"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=re.escape(name) + ".*" + message):
        read_table(path)


def test_truncated_workbook(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "tronque.xlsx", 50)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InvalidInputError, match=r"tronque\.xlsx : classeur illisible"):
        read_table(path)


def test_duplicated_headers_are_renamed_and_refused_when_used(tmp_path: Path) -> None:
    path = tmp_path / "doublons.csv"
    path.write_text("Commune;Commune;Autre\nGuéret;Aubusson;x\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["Commune", "Commune (2)", "Autre"]
    table.refuse_duplicates(["Autre"])  # not used: fine
    with pytest.raises(InvalidInputError, match=r"doublons\.csv : ligne 1 : .*« Commune ».*2 fois"):
        table.refuse_duplicates(["Commune"])


def test_values() -> None:
    assert to_number("5,0") == 5.0 and to_number("5 %") == 5.0
    assert to_number("1\u202f234,5") == 1234.5 and to_number("12 km") == 12.0
    assert to_number("abc") is None and to_number("") is None and to_number("nan") is None
    assert to_date("01/11/2023") == dt.date(2023, 11, 1) == to_date("2023-11-01")
    assert to_date("45231") == dt.date(2023, 11, 1)  # an Excel serial
    assert to_date("12345") is None  # 1933: not a date of this domain
    assert to_date("2023-11-01 00:00:00") == dt.date(2023, 11, 1)
    assert to_date("31/02/2023") is None
    assert [to_bool(v) for v in ("Oui", "non", "true", "FALSE", "x", "", "peut-être")] == [
        True, False, True, False, True, False, None,
    ]  # fmt: skip


def test_one_folder() -> None:
    assert (
        fold("Saint-Étienne  d'Orthe") == fold("SAINT ETIENNE D'ORTHE") == "saint etienne d orthe"
    )
    assert fold("Cœur") == "coeur" and fold(None) == ""
    assert squash("N° FINESS") == squash("n_finess") == "nfiness"
