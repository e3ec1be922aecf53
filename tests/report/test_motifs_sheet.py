"""The results workbook's sheet « Motifs »: one row per code present in the results, with
the number of rows giving it and the catalogue's explanation.

The example list (``data/examples/candidats_exemple.csv``) through ``run_batch`` to an
.xlsx; the sheet is checked against the codes read back from the results sheet itself.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from zoning.locate.finess import FinessLocator
from zoning.reasons import SEPARATOR, catalogue
from zoning.report.motifs import MOTIF_HEADERS, paired
from zoning.report.service import run_batch

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "candidats_exemple.csv"


def test_motifs_sheet(store: Any, finess_locator: FinessLocator, tmp_path: Path) -> None:
    out = tmp_path / "resultats.xlsx"
    run_batch(EXAMPLE, "cvl-assistants-partages", out, store, finess=finess_locator, progress=False)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Résultats", "Synthèse", "Motifs", "Provenance"]
    rows = [list(r) for r in book["Résultats"].iter_rows(values_only=True)]
    head, body = rows[0], rows[1:]
    code_columns = [
        i
        for i, h in enumerate(head)
        if h in ("codes_motifs", "code_prime", "code_financement")
        or str(h).startswith("code_regle_20km_site")
    ]
    assert len(code_columns) >= 4
    expected: Counter[str] = Counter()
    for row in body:
        expected.update({c for i in code_columns if row[i] for c in str(row[i]).split(" | ")})
    sheet = [list(r) for r in book["Motifs"].iter_rows(values_only=True)]
    assert sheet[0] == MOTIF_HEADERS
    got = {r[0]: r for r in sheet[1:]}
    assert {c: int(r[3]) for c, r in got.items()} == dict(expected)
    assert len(got) >= 5  # the example list gives reasons of several kinds
    for code, row in got.items():
        entry = catalogue()[code]
        assert row[1:3] == [entry.titre, entry.verdict]
        assert row[6] and row[6].split("\n")[0] == entry.que_faire[0].replace("`", "")


def test_paired_keeps_codes_beside_their_reasons() -> None:
    texts = SEPARATOR.join(["durée : durée non fournie", "n° RPPS : n° RPPS non fourni"])
    assert paired(texts, "DUREE-ABSENTE | CAND-RPPS-ABSENT") == [
        {"code": "DUREE-ABSENTE", "text": "durée : durée non fournie"},
        {"code": "CAND-RPPS-ABSENT", "text": "n° RPPS : n° RPPS non fourni"},
    ]
    # A quoted cell holding the separator: the codes first, then the text once.
    odd = "données : nombre illisible : « a | b »"
    assert paired(odd, "DONNEES-NOMBRE-ILLISIBLE") == [
        {"code": "DONNEES-NOMBRE-ILLISIBLE", "text": ""},
        {"code": None, "text": odd},
    ]
    assert paired(None, None) == []
