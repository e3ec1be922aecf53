"""Annex files as ARS publish them, and the mistakes they hold: each a clear report line.

Every annex here is SYNTHETIC: cut from the 2022 classes exported from the store (real
communes, real classes) and then edited to hold one defect each; none is a real decree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from decree_helpers import NA, open_store, zoning

from zoning.errors import InvalidInputError
from zoning.locate import lookup
from zoning.sources.annex_vocab import class_of
from zoning.store.decree_import import import_decree
from zoning.store.decree_store import export_table
from zoning.store.decrees import IN_FORCE
from zoning.store.import_report import ImportReport

DAY = date(2032, 1, 1)


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def na_rows(store_copy: Path, departement: str | None = None) -> list[list[str]]:
    """SYNTHETIC base: code, name, département, class of the 2022 decree."""
    _, rows = export_table(open_store(store_copy), "ars-na-2022-04-25")
    return [
        [str(r[0]), str(r[1]), str(r[2]), str(r[3]) or "HZ"]
        for r in rows
        if departement is None or r[2] == departement
    ]


def run(store_copy: Path, path: Path, decree_id: str, **kw: object) -> ImportReport:
    return import_decree(
        open_store(store_copy),
        path,
        decree_id=decree_id,
        region=NA,
        communes=lookup,
        in_force=DAY,
        **kw,
    )


def messages(report: ImportReport, level: str) -> list[str]:
    return [
        (f"ligne {i['line']} : " if i["line"] else "") + i["message"]
        for i in report.lines
        if i["level"] == level
    ]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("ZIP", "ZIP"),
        ("1_ZIP", "ZIP"),
        ("Zone d'intervention prioritaire", "ZIP"),
        ("zone d’action complémentaire", "ZAC"),
        ("2_ZAC", "ZAC"),
        ("Zone de vigilance", "ZV"),
        ("ZAR", "ZAR"),
        ("Hors zonage", "HZ"),
        ("HORS ZONAGE", "HZ"),
        ("3_HZ", "HZ"),
        ("ZIPP", None),
        ("zone blanche", None),
    ],
)
def test_class_spellings(label: str, expected: str | None) -> None:
    assert class_of(label) == expected


def test_defects_each_get_a_clear_line(store_copy: Path, tmp_path: Path) -> None:
    rows = na_rows(store_copy)
    body = [";".join(r) for r in rows]
    gueret = next(i for i, r in enumerate(rows) if r[0] == "23096")
    linard = next(i for i, r in enumerate(rows) if r[0] == "23109")
    ahun = next(i for i, r in enumerate(rows) if r[0] == "23001")
    body[gueret] = "23096;Guéret;23;ZIPP"  # bad class label (file line gueret + 2)
    body[linard] = "23121;Linard;23;ZAC"  # old (2018) code of Linard-Malval
    missing = rows[ahun]
    duplicate = "33063;Bordeaux;33;ZIP"  # Bordeaux again, with another class
    body = [b for i, b in enumerate(body) if i != ahun] + [duplicate, "99999;Nulle part;99;ZIP"]
    path = write_csv(tmp_path / "annexe.csv", "Code INSEE;Commune;Département;Classe", body)
    report = run(store_copy, path, "defects", dry_run=True)
    errors = messages(report, "erreur")
    line_of_gueret = body.index("23096;Guéret;23;ZIPP") + 2  # header is line 1
    assert f"ligne {line_of_gueret} : classe « ZIPP » non reconnue : ligne ignorée" in errors
    assert any(
        m.startswith(f"commune {missing[0]} ({missing[1]}) de la région absente") for m in errors
    )
    assert any(
        "commune 33063 (Bordeaux) en double" in m and "classes différentes" in m for m in errors
    )
    assert any("code commune inconnu « 99999 »" in m for m in errors)
    infos = messages(report, "info")
    assert any("code d'un autre millésime" in m and "23109" in m for m in infos)
    assert not report.written
    # The text report carries the same lines, and says the store was not touched.
    text = "\n".join(report.text_lines())
    assert "classe « ZIPP » non reconnue" in text and "magasin NON modifié" in text


def test_defects_imported_leave_no_silent_class(store_copy: Path, tmp_path: Path) -> None:
    rows = na_rows(store_copy)
    body = [";".join(r) for r in rows] + ["33063;Bordeaux;33;ZIP"]
    path = write_csv(tmp_path / "annexe.csv", "Code INSEE;Commune;Département;Classe", body)
    refused = run(store_copy, path, "dup")  # unreadable rows: nothing written unless accepted
    assert refused.refused and not refused.written
    assert open_store(store_copy).keyed.zone("dup", "33063") is None
    run(store_copy, path, "dup", accept_errors=True)
    store = open_store(store_copy)
    row = store.keyed.zone("dup", "33063")
    assert row is not None and row["zone"] == "" and "conflit" in row["note"]
    from zoning.locate import lookup

    place = lookup.by_commune(store, "33063", date(2032, 6, 1))
    assert place.zone is None and place.under_served is None
    # The import report is kept in the store.
    assert "en double" in (store_copy / "decree_reports" / "dup.md").read_text(encoding="utf-8")


def test_names_instead_of_codes(store_copy: Path, tmp_path: Path) -> None:
    rows = na_rows(store_copy, "23")
    body = [f"{r[1]};{r[2]};{r[3]}" for r in rows]
    path = write_csv(tmp_path / "noms.csv", "Commune;Département;Zonage", body)
    report = run(store_copy, path, "by-name", accept_errors=True)
    errors = messages(report, "erreur")
    # The only errors are the communes of the other départements, absent from this annex.
    assert errors and all("de la région absente de l'annexe" in m for m in errors)
    assert not any(m.startswith("commune 23") for m in errors)
    store = open_store(store_copy)
    for code, _, _, zone in rows:
        assert store.keyed.zone("by-name", code)["zone"] == zone, code


def test_names_with_postcodes(store_copy: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cp.csv",
        "Nom de la commune;Code postal;Classement",
        [
            "Guéret;23000;Zone d'intervention prioritaire",
            "Bordeaux;33000;Hors zonage",
            "Nullepart;23000;ZIP",
        ],
    )
    report = run(store_copy, path, "by-postcode", dry_run=True)
    assert any("nom « Guéret » (23000) → 23096" in m for m in messages(report, "info"))
    assert any(
        m.startswith("ligne 4 : aucune commune « Nullepart » au code postal 23000")
        for m in messages(report, "erreur")
    )


def test_qpv_rows_and_tvs_table(store_copy: Path, tmp_path: Path) -> None:
    tvs = write_csv(tmp_path / "tvs.csv", "TVS;Code INSEE", ["T23A;23096", "T23A;23001"])
    path = write_csv(
        tmp_path / "tvs-annexe.csv",
        "Code TVS;Code QPV;Classe",
        ["T23A;;ZAC", ";QN02301M;ZIP", "T99;;ZIP"],
    )
    report = run(store_copy, path, "by-tvs", tvs_path=tvs, accept_errors=True)
    assert report.qpv_rows == 1
    assert any("TVS T23A → 2 communes" in m for m in messages(report, "info"))
    assert any("TVS « T99 » absent" in m for m in messages(report, "erreur"))
    store = open_store(store_copy)
    assert store.keyed.zone("by-tvs", "23096")["zone"] == "ZAC"
    assert store.keyed.zone("by-tvs", "23001")["zone"] == "ZAC"
    assert store.decree_on(NA, DAY).status == IN_FORCE


def test_tvs_annex_without_table_is_refused(store_copy: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tvs.csv", "TVS;Classe", ["T23A;ZAC"])
    with pytest.raises(InvalidInputError, match="--tvs"):
        run(store_copy, path, "tvs-only", dry_run=True)


def test_title_rows_above_the_header(store_copy: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "titre.csv",
        "Annexe à l'arrêté du 30 décembre 2025\n\nCODGEO;LIBGEO;Zonage",
        ["23096;Guéret;ZIP"],
    )
    report = run(store_copy, path, "titled", dry_run=True)
    assert report.rows_read == 1 and not any("23096" in m for m in messages(report, "erreur"))


def test_bad_files_are_french_messages_with_exit_2(store_copy: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "recueil.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a table")
    no_header = write_csv(tmp_path / "vide.csv", "a;b", ["1;2"])
    for path, message in (
        (pdf, "PDF illisible"),  # a PDF is read now: a damaged one is named so
        (no_header, "aucune ligne d'en-tête"),
        (tmp_path / "absent.csv", "fichier introuvable"),
    ):
        out = zoning(
            store_copy,
            "data",
            "import-decree",
            str(path),
            "--region",
            NA,
            "--id",
            "x",
            "--in-force",
            "2032-01-01",
        )
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and path.name in out.stderr
        assert "Traceback" not in out.stderr


def test_loaded_decree_is_not_overwritten_silently(store_copy: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", "Code INSEE;Classe", ["23096;ZIP"])
    with pytest.raises(InvalidInputError, match="--overwrite"):
        run(store_copy, path, "ars-na-2022-04-25")
