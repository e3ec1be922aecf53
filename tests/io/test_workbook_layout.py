"""Workbooks as instructors make them, read by the one reader (synthetic files, made here).

A title block above the header, a « Département » merged over the rows of its
communes, a hidden column, a hidden row, a TOTAL row, a subtotal inside the table, a
« Source : » note under it, and a second sheet: in xlsx (openpyxl) and in ods (odfpy).
The cells expected are written here from the rows given, never by the reader.
Also: decompression bombs refused before reading, and Excel outputs too small.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl import Workbook
from zipbomb import make_bomb

from zoning.errors import InvalidInputError, OutputError
from zoning.io.read import read_table

HEADER = ["Département", "Nom du praticien", "½ journées hôpital / sem.", "Commune du site"]
#: (département or None under a merge, name, half-days, commune)
BODY: list[list[str | None]] = [
    ["23", "Dupont", "4", "Guéret"],
    [None, "Martin", "5", "Aubusson"],
    [None, "Petit", "3", "La Souterraine"],
    ["Sous-total Creuse", None, "12", None],
    ["87", "Durand", "3", "Bellac"],
    ["TOTAL", None, "15", None],
    [],
    ["Source : ARS Nouvelle-Aquitaine, fichier fictif"],
]
TITLE_ROWS = 2  # a title, then a blank row
FIRST = TITLE_ROWS + 2  # sheet row of BODY[0]
RECORDS = [["23", "Dupont", "4", "Guéret"], ["23", "Martin", "5", "Aubusson"],
           ["23", "Petit", "3", "La Souterraine"], ["87", "Durand", "3", "Bellac"]]  # fmt: skip
RECORD_LINES = [FIRST, FIRST + 1, FIRST + 2, FIRST + 4]
SET_APART = [(FIRST + 3, "ligne de total"), (FIRST + 5, "ligne de total"), (FIRST + 7, "note")]


def _xlsx(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Candidats"
    ws.append(["Liste des postes partagés 2025 (fichier fictif)"])
    ws.append([])
    ws.append(HEADER)
    for row in BODY:
        ws.append([None if v is None else (int(v) if v.isdigit() and len(v) == 1 else v)
                   for v in row])  # fmt: skip
    ws.merge_cells(f"A{FIRST}:A{FIRST + 2}")
    ws.column_dimensions["C"].hidden = True
    ws.row_dimensions[FIRST + 4].hidden = True
    book.create_sheet("Notice").append(["Mode d'emploi"])
    book.save(path)
    return path


def _ods(path: Path) -> Path:
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Candidats")
    for i in range(4):
        table.addElement(TableColumn(visibility="collapse") if i == 2 else TableColumn())

    def row(values: list[str | None], hidden: bool = False, span: int = 0) -> None:
        tr = TableRow(visibility="collapse") if hidden else TableRow()
        for j, value in enumerate(values):
            if value is None and j == 0 and span < 0:
                tr.addElement(CoveredTableCell())
                continue
            cell = (
                TableCell(valuetype="string", numberrowsspanned=span)
                if span > 0 and j == 0
                else TableCell(valuetype="string")
                if value is not None
                else TableCell()
            )
            if value is not None:
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)

    row(["Liste des postes partagés 2025 (fichier fictif)"])
    row([])
    row(list(HEADER))
    for i, values in enumerate(BODY):
        span = 3 if i == 0 else -1 if i in (1, 2) else 0
        row(list(values), hidden=FIRST + i == FIRST + 4, span=span)
    doc.spreadsheet.addElement(table)
    notice = Table(name="Notice")
    doc.spreadsheet.addElement(notice)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("make", [_xlsx, _ods], ids=["xlsx", "ods"])
def test_merged_hidden_totals_and_other_sheets(tmp_path: Path, make: object) -> None:
    path = make(tmp_path / ("candidats.xlsx" if make is _xlsx else "candidats.ods"))  # type: ignore[operator]
    table = read_table(path)
    assert table.headers == HEADER
    assert table.header_line == TITLE_ROWS + 1
    assert table.rows == RECORDS  # the merged département on every row; no total, no note
    assert table.lines == RECORD_LINES
    assert [(line, kind) for line, kind, _ in table.skipped_rows] == SET_APART
    assert all(f"ligne {line} : " in reason for line, _, reason in table.skipped_rows)
    assert "colonne masquée : C" in table.notes
    assert f"ligne masquée : {FIRST + 4}" in table.notes
    assert any("fusionnées" in n and f"A{FIRST}:A{FIRST + 2}" in n for n in table.notes)
    said = table.said()
    assert "autres feuilles du classeur : Notice" in said
    assert f"ligne {FIRST + 5} : ligne de total, ignorée (« TOTAL 15 »)" in said


def test_a_dossier_named_total_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_text(
        "Nom;Commune;Demi-journées\nTotalement Fictif;Guéret;4\nTotal;Aubusson;5\nSous-total;;9\n",
        encoding="utf-8",
    )
    table = read_table(path)
    # « Totalement » is a word of its own; « Total » followed by a commune is text.
    assert table.rows == [["Totalement Fictif", "Guéret", "4"], ["Total", "Aubusson", "5"]]
    assert [line for line, _, _ in table.skipped_rows] == [4]


def test_zip_bomb_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_bomb(tmp_path / "bombe.xlsx", 64 << 20)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InvalidInputError, match=r"bombe\.xlsx : classeur refusé.*fois"):
        read_table(path)
    # The absolute ceiling, with the ratio out of the way.
    monkeypatch.setenv("ZONING_MAX_ZIP_RATIO", "1000000")
    monkeypatch.setenv("ZONING_MAX_EXPANDED_MB", "20")
    with pytest.raises(InvalidInputError, match=r"bombe\.xlsx : classeur refusé.*20 Mo"):
        read_table(path)


def test_excel_output_too_small_refused_with_the_format_that_can() -> None:
    from zoning.io.xlsx import EXCEL_MAX_ROWS, check_rows_fit, write_excel

    check_rows_fit("r.xlsx", EXCEL_MAX_ROWS)
    check_rows_fit("r.csv", EXCEL_MAX_ROWS + 1)
    with pytest.raises(OutputError, match=r"r\.xlsx : .* \.csv"):
        check_rows_fit("r.xlsx", EXCEL_MAX_ROWS + 1)
    with pytest.raises(OutputError, match=r"\.csv"):
        write_excel("r.xlsx", {"x": (["a"], [[1]] * (EXCEL_MAX_ROWS + 1))})


def test_title_merged_across_is_not_a_header_and_one_column_lists_lose_nothing(
    tmp_path: Path,
) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Suivi des postes partagés (fictif)"])
    ws.merge_cells("A1:D1")
    ws.append(HEADER)
    ws.append(["23", "Dupont", "4", "Guéret"])
    book.save(tmp_path / "titre.xlsx")
    table = read_table(tmp_path / "titre.xlsx")
    assert table.headers == HEADER and table.rows == [["23", "Dupont", "4", "Guéret"]]
    # One column (addresses): a blank line, then single cells are records, not notes.
    path = tmp_path / "adresses.csv"
    path.write_text("Adresse\n1 rue A Guéret\n\n2 rue B Bellac\n", encoding="utf-8")
    table = read_table(path)
    assert [r for r in table.rows if any(r)] == [["1 rue A Guéret"], ["2 rue B Bellac"]]
    assert table.skipped_rows == []


def test_a_total_row_labelled_in_any_column_is_set_apart() -> None:
    """Columns come in any order: « TOTAL » may stand in the last column, its sum in
    another (a generated hand-made CSV counted it as one more dossier)."""
    from zoning.io.rowkinds import TOTAL, row_kind

    assert row_kind(["", "", "19", "", "TOTAL"]) == TOTAL
    assert row_kind(["Sous-total Creuse", "12", "4,5"]) == TOTAL
    # A dossier keeps being a dossier: several words, or a label that is no total.
    assert row_kind(["D23-1", "Total Energie", "5"]) is None
    assert row_kind(["19", "Tulle"]) is None
