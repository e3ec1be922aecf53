"""The annex as the ARS publish it: SYNTHETIC RAA PDFs (three layouts) and a SYNTHETIC
CartoSanté export, each written from the 2022 classes of the store and read back.

Truth is the store's 2022 class table (built from the national zoning file); the files
are generated here (``synthetic_annex``), never committed, and say « synthétique » in
their title. Reading a 4 309-row PDF takes 8 to 30 s on this machine (pdfplumber), so
the full round trip runs here for the ``lists`` layout and the CartoSanté export, and on
two départements for the table layouts; ``bench/annex_pdf_roundtrip.py`` runs all three
layouts in full.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from decree_helpers import NA, OLD, open_store, zoning
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from synthetic_annex import (
    NA_DEPARTEMENTS,
    Commune,
    write_cartosante_csv,
    write_codes_pdf,
    write_lists_pdf,
    write_tvs_column_pdf,
    write_tvs_pdf,
)

from zoning.locate import lookup
from zoning.sources.annex_pdf import join_cut, read_annex_pdf
from zoning.store.decree_import import import_decree
from zoning.store.import_report import ImportReport

# Two départements for the table layouts: Creuse (rural, mostly ZIP) and Gironde (with
# Bordeaux, HZ, and homonyms to disambiguate). Their rows are read in a few seconds.
SUBSET = ("23", "33")


@pytest.fixture(scope="module")
def classes_2022(store_copy: Path) -> dict[str, str]:
    """Commune code -> 2022 class ('' when none), for every commune of NA (the truth)."""
    store = open_store(store_copy)
    zones = store.zones(OLD)
    table = dict(zip(zones["code"].astype(str), zones["zone"].astype(str), strict=True))
    assert len(table) == 4309
    return table


@pytest.fixture(scope="module")
def na_communes(store_copy: Path, classes_2022: dict[str, str]) -> list[Commune]:
    communes = open_store(store_copy).communes(["code", "name", "departement", "region"])
    communes = communes.loc[communes["region"] == NA]
    return [
        Commune(c, n, d, NA_DEPARTEMENTS[d], classes_2022[c])
        for c, n, d in zip(communes["code"], communes["name"], communes["departement"], strict=True)
    ]


def preview(store_copy: Path, path: Path, decree_id: str, **kw: object) -> ImportReport:
    return import_decree(
        open_store(store_copy),
        path,
        decree_id=decree_id,
        region=NA,
        communes=lookup,
        in_force=date(2031, 1, 1),
        dry_run=True,
        **kw,  # type: ignore[arg-type]
    )


def differences(report: ImportReport, truth: dict[str, str], codes: set[str]) -> list[tuple]:
    assert report.zones is not None
    got = dict(zip(report.zones["code"], report.zones["zone"], strict=True))
    return [(c, truth[c], got.get(c)) for c in sorted(codes) if got.get(c) != truth[c]]


def test_join_cut_names() -> None:
    assert join_cut("Saint-Martin-de-\nla-Lande") == "Saint-Martin-de-la-Lande"
    assert join_cut("Le\nGrand-Bourg") == "Le Grand-Bourg"


def test_synthetic_pdf_lists_round_trip_all_na_communes(
    store_copy: Path, tmp_path: Path, na_communes: list[Commune], classes_2022: dict[str, str]
) -> None:
    pdf = write_lists_pdf(tmp_path / "SYNTHETIQUE-listes.pdf", na_communes)
    report = preview(store_copy, pdf, "synthetic-lists")
    assert report.unresolved() == []
    assert report.rows_read == 4299  # the 10 communes without a class are not listed
    assert differences(report, classes_2022, set(classes_2022)) == []
    assert report.summary["classes"]["ZIP"]["communes"] == 1407
    assert not report.written


@pytest.mark.parametrize(
    ("layout", "writer"),
    [
        ("codes-words", lambda p, c: write_codes_pdf(p, c, "words")),
        ("codes-1_ZIP", lambda p, c: write_codes_pdf(p, c, "codes")),
        ("codes-ZIP", lambda p, c: write_codes_pdf(p, c, "abbrev")),
        ("tvs", write_tvs_pdf),
        ("tvs-merged-column", write_tvs_column_pdf),
    ],
)
def test_synthetic_pdf_tables_round_trip_two_departements(
    store_copy: Path,
    tmp_path: Path,
    na_communes: list[Commune],
    classes_2022: dict[str, str],
    layout: str,
    writer: Callable[[Path, list[Commune]], Path],
) -> None:
    subset = [c for c in na_communes if c.dep in SUBSET]
    pdf = writer(tmp_path / f"SYNTHETIQUE-{layout}.pdf", subset)
    report = preview(store_copy, pdf, f"synthetic-{layout}")
    assert report.unresolved() == [], report.unresolved()[:5]
    assert differences(report, classes_2022, {c.code for c in subset}) == []
    assert report.kind.startswith("PDF")


def test_synthetic_cartosante_export_keeps_qpv_classes(
    store_copy: Path, tmp_path: Path, na_communes: list[Commune], classes_2022: dict[str, str]
) -> None:
    store = open_store(store_copy)
    qpv = store.qpv_communes()
    bordeaux_qpv = sorted(qpv.loc[qpv["commune"] == "33063", "code_qp"].astype(str))[0]
    # Bordeaux is HZ in 2022; the export says its QPV are ZIP (a real case), and one QPV
    # of Bordeaux is listed by its own code as ZAC.
    others = [c for c in na_communes if c.code != "33063"]
    path = write_cartosante_csv(
        tmp_path / "SYNTHETIQUE-cartosante.csv",
        others,
        [("33063", "Bordeaux", "3_QPV_ZIP"), (bordeaux_qpv, "Quartier (synthétique)", "4_QPV_ZAC")],
    )
    report = preview(store_copy, path, "synthetic-cartosante")
    assert report.kind == "export CartoSanté"
    assert report.unresolved() == []
    assert differences(report, classes_2022, set(classes_2022)) == []
    assert report.zones is not None and report.qpv is not None
    note = report.zones.set_index("code").loc["33063", "note"]
    assert "3_QPV_ZIP" in note and "classé ZIP" in note
    levels = report.qpv.set_index("label")
    assert levels.loc["3_QPV_ZIP", "commune"] == "33063"
    assert levels.loc["4_QPV_ZAC", "code_qp"] == bordeaux_qpv
    # Adopted, every answer for Bordeaux says its QPV are ZIP under this decree.
    import_decree(
        open_store(store_copy),
        path,
        decree_id="synthetic-cartosante",
        region=NA,
        communes=lookup,
        in_force=date(2040, 1, 1),
        accept_errors=True,  # the 10 communes without a class are not listed
    )
    answer = lookup.by_commune(open_store(store_copy), "33063", date(2040, 6, 1))
    assert answer.decree is not None and answer.decree.id == "synthetic-cartosante"
    assert answer.zone == "HZ"
    assert any("3_QPV_ZIP" in n and "classé ZIP" in n for n in answer.notes), answer.notes
    assert answer.to_verify  # HZ commune with QPV: the address settles it


def test_scanned_pdf_is_refused_in_french(store_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.rect(50, 50, 400, 600, fill=1)  # a page of pixels: no text layer
    canvas.showPage()
    canvas.save()
    result = zoning(
        store_copy, "data", "import-decree", str(path), "--region", NA, "--id", "x",
        "--in-force", "2031-01-01", "--apercu",
    )  # fmt: skip
    assert result.returncode == 2
    assert "pas de couche texte" in result.stderr and "scan.pdf" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_lines_are_named_by_page_and_line(store_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "SYNTHETIQUE-defauts.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("Annexe synthétique avec défauts")
    lines = [
        "Annexe synthétique (données de test)",
        "Zones d'intervention prioritaire — Creuse (23)",
        "Guéret",
        "Commune-Qui-N-Existe-Pas",
        "Zones d'intervention prioritaire — Haute-Vienne (87)",
        "Saint-Sulpice-les-",
        "Feuilles",
        "87085 — Limoges",
        "Hors zonage — Gironde (33)",
        "Bordeaux",
    ]
    for i, text in enumerate(lines):
        canvas.drawString(50, 800 - 14 * i, text)
    canvas.showPage()
    canvas.save()
    annex = read_annex_pdf(path)
    assert [r[1] for r in annex.rows] == [
        "Guéret",
        "Commune-Qui-N-Existe-Pas",
        "Saint-Sulpice-les-Feuilles",
        "Limoges",
        "Bordeaux",
    ]
    assert annex.rows[3][0] == "87085"
    report = preview(store_copy, path, "synthetic-defects")
    (bad,) = report.unresolved()
    assert bad["place"] == "page 1, ligne 4" and "Commune-Qui-N-Existe-Pas" in bad["message"]
    assert report.zones is not None
    zones = report.zones.set_index("code")["zone"]
    assert (zones["23096"], zones["87182"], zones["87085"], zones["33063"]) == (
        "ZIP",
        "ZIP",
        "ZIP",
        "HZ",
    )


def test_preview_then_adopt_then_undo_from_a_synthetic_pdf(
    store_copy: Path, tmp_path: Path, na_communes: list[Commune]
) -> None:
    """--apercu writes nothing and lists exactly the changed communes; adoption keeps an
    audit record (file, sha256, size, date, version) in the store, in `data info` and in
    `check`'s provenance; `remove-decree` undoes it; a built decree cannot be removed."""
    moved = {"23096": "HZ", "23176": "ZAC"}  # SYNTHETIC changes (Guéret, La Souterraine)
    creuse = [
        Commune(c.code, c.name, c.dep, c.dep_name, moved.get(c.code, c.zone))
        for c in na_communes
        if c.dep == "23"
    ]
    others = [c for c in na_communes if c.dep != "23"]
    pdf = write_lists_pdf(tmp_path / "SYNTHETIQUE-raa.pdf", creuse + others)
    zones_file = store_copy / "zones.parquet"
    before = zones_file.read_bytes()
    args = ["data", "import-decree", str(pdf), "--region", NA, "--id", "synthetic-raa",
            "--in-force", "2035-01-01", "--replaces", OLD]  # fmt: skip
    shown = zoning(store_copy, *args, "--apercu")
    assert shown.returncode == 0, shown.stderr
    assert "communes dont la classe change : 2" in shown.stdout
    assert "23096 ; Guéret" in shown.stdout and "23176 ; La Souterraine" in shown.stdout
    assert "magasin NON modifié" in shown.stdout
    # 4 299 communes found by name: counted, not printed one by one
    assert "lignes d'information" in shown.stdout and len(shown.stdout.splitlines()) < 100
    assert zones_file.read_bytes() == before

    adopted = zoning(store_copy, *args)
    assert adopted.returncode == 0, adopted.stderr
    import hashlib

    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    decree = open_store(store_copy).decree("synthetic-raa")
    assert decree.audit["sha256"] == digest and decree.audit["size"] == pdf.stat().st_size
    assert decree.audit["file"] == "SYNTHETIQUE-raa.pdf"
    info = zoning(store_copy, "data", "info")
    assert digest[:12] in info.stdout
    check = zoning(store_copy, "check", "--commune", "23096", "--date", "2035-06-01")
    assert check.returncode == 0, check.stderr
    assert "HZ" in check.stdout and "SYNTHETIQUE-raa.pdf adoptée le" in check.stdout

    refused = zoning(store_copy, "data", "remove-decree", OLD)
    assert refused.returncode == 2 and "construction du magasin" in refused.stderr
    removed = zoning(store_copy, "data", "remove-decree", "synthetic-raa")
    assert removed.returncode == 0, removed.stderr
    assert "synthetic-raa" not in {d.id for d in open_store(store_copy).decrees}
    assert open_store(store_copy).decree(OLD).replaced_by != "synthetic-raa"
    assert zoning(store_copy, "data", "check-store").returncode == 0
    after = zoning(store_copy, "check", "--commune", "23096", "--date", "2035-06-01")
    assert "SYNTHETIQUE-raa" not in after.stdout


def test_a_scanned_page_inside_a_text_pdf_is_named(store_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "SYNTHETIQUE-mixte.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.drawString(50, 800, "Zones d'intervention prioritaire — Creuse (23)")
    canvas.drawString(50, 786, "Guéret")
    canvas.showPage()
    canvas.rect(50, 50, 400, 600, fill=1)  # page 2: an image only
    canvas.showPage()
    canvas.save()
    report = preview(store_copy, path, "synthetic-mixed")
    (bad,) = report.unresolved()
    assert bad["place"] == "page 2" and "sans texte" in bad["message"]
    assert report.zones is not None
    assert report.zones.set_index("code").loc["23096", "zone"] == "ZIP"
