"""Démarches Simplifiées exports through ``zoning batch``: every row out, verdicts right.

The exports are built from the canonical sample (made-up people, real places) in the
three formats DS gives: XLSX with all its sheets, CSV ``;`` Windows-1252, ODS. The
verdicts are checked against independent truth: the status the sample's comment
states (written by hand) and each commune's class as the zoning file gives it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import make_ds_exports as ds
import pytest
from click.testing import CliRunner
from make_ds_exports import expected_status
from openpyxl import Workbook, load_workbook

from zoning.cli import cli, main
from zoning.locate.finess import FinessLocator, FinessStatus
from zoning.report.service import run_batch

REF = "Référence de l'exemple (fictif)"


@pytest.fixture
def env(store_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONING_STORE", str(store_path))
    monkeypatch.setenv("ZONING_SOURCES", str(sources_dir))


def _results(path: Path) -> list[dict[str, Any]]:
    sheet = load_workbook(path, read_only=False)["Résultats"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("kind", ["xlsx", "csv", "ods"])
def test_ds_export_every_row_verdicts_right_mapping_printed(
    env: None, ds_files: dict[str, Path], zone_truth: dict[str, str], tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "resultats.xlsx"
    args = ["batch", str(ds_files[kind]), "-p", "na-mg-2023", "-o", str(out), "--no-progress"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    for line in (
        "« Numéro FINESS de l'établissement employeur » -> hop_finess",
        "« Nombre de demi-journées hebdomadaires à l'hôpital » -> dj_hopital",
        "« Commune du lieu d'exercice ambulatoire (Code insee) » -> site1_insee",
        "« ID » -> ref",
        "« Email » : colonne fixe Démarches Simplifiées, non utilisée",
    ):
        assert line in result.output
    sample = ds.canonical_rows()
    rows = _results(out)
    assert [str(r[REF]) for r in rows] == [s["Identifiant"] for s in sample]  # all, in order
    for row, source in zip(rows, sample, strict=True):
        wanted = expected_status(source["Commentaire (exemple fictif)"])
        if kind == "xlsx" and source["Identifiant"] == "EX01":
            wanted = "éligible"  # its second site (repeated block) is a cabinet in Guéret
        assert row["statut"] == wanted, (source["Identifiant"], row["motifs"])
        code = source["Site code INSEE"]
        if code in zone_truth and row["statut"] != "données invalides":
            assert row["zone_site1"] == zone_truth[code], source["Identifiant"]
        # The programme is GP-only: the absent specialty column is not asked for.
        assert "spécialité" not in str(row["motifs"] or "")


def test_repeated_block_becomes_site_2(
    env: None, ds_files: dict[str, Path], zone_truth: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "resultats.xlsx"
    args = ["batch", str(ds_files["xlsx"]), "-p", "na-mg-2023", "-o", str(out), "--no-progress"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"Sites supplémentaires lus dans la feuille « {ds.BLOCK_SHEET} »" in result.output
    first = _results(out)[0]
    assert first["commune_site2"] == "Guéret (23096)"
    assert first["zone_site2"] == zone_truth["23096"] == "ZIP"
    prov = {r[0]: r[1] for r in load_workbook(out)["Provenance"].iter_rows(values_only=True)}
    assert prov["sites 2 et suivants (bloc répétable)"] == ds.BLOCK_SHEET
    assert prov["feuille lue"] == "Dossiers"


def test_apercu_prints_mapping_and_five_rows_without_running(
    env: None, ds_files: dict[str, Path], tmp_path: Path
) -> None:
    args = ["batch", str(ds_files["csv"]), "-p", "na-mg-2023", "--apercu"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Correspondance des colonnes" in result.output
    preview = result.output.split("Aperçu", 1)[1]
    assert {int(line.split()[0]) for line in preview.splitlines()[1:]} == {2, 3, 4, 5, 6}
    assert "finess=230000820" in preview and "commune=23008" in preview


def test_colonne_override_and_mapping_file_errors(
    env: None, ds_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(ds_files["csv"])
    hide = "--colonne=Commune du lieu d'exercice ambulatoire (Code insee)="
    result = CliRunner().invoke(cli, ["batch", path, "-p", "na-mg-2023", "--apercu", hide])
    assert result.exit_code == 0, result.output
    assert "(Code insee) » : choix de l'utilisateur" in result.output
    bad = tmp_path / "correspondances.toml"
    bad.write_text('[colonnes]\n"Numéro RPPS" = "rpps"\n"ID" = "identifiant"\n', "utf-8")
    with pytest.raises(SystemExit) as info:
        main(["batch", path, "-p", "na-mg-2023", "--apercu", "--colonnes", str(bad)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "correspondances.toml : ligne 3 : champ inconnu « identifiant »" in err
    assert "hop_finess" in err and "Traceback" not in err  # the fields are listed


def test_legal_status_from_finess_and_reasons_counted(
    store: Any,
    ds_files: dict[str, Path],
    finess_lookups: tuple[FinessLocator, FinessStatus],
    tmp_path: Path,
) -> None:
    locate, status = finess_lookups
    assert status("230000820") == "public"  # CH de Guéret, public in the FINESS extract
    out = tmp_path / "sans-categorie.xlsx"
    run = run_batch(
        ds_files["csv"],
        "na-mg-2023",
        out,
        store,
        finess=locate,
        finess_status=status,
        progress=False,
        overrides={"Catégorie de l'établissement employeur": None},
    )
    rows = _results(out)
    assert run.rows == len(ds.canonical_rows())
    for row in rows:
        assert "type d'établissement : type non fourni" not in str(row["motifs"] or "")
    summary = list(load_workbook(out)["Synthèse"].iter_rows(values_only=True))
    counted = {r[1] for r in summary if r[0] == "critère à vérifier"}
    assert "type d'établissement" not in counted and "spécialité" not in counted
    # What is truly unknown is counted: EX07's site is in Limoges (HZ, with QPV).
    assert "zone sous-dense (site 1)" in counted


def test_template_round_trip(env: None, store_path: Path, tmp_path: Path) -> None:
    """Fill the template with the canonical rows: same verdicts as the canonical file."""
    template = tmp_path / "modele.xlsx"
    result = CliRunner().invoke(cli, ["batch", "--modele", str(template), "-p", "na-mg-2023"])
    assert result.exit_code == 0, result.output
    book = load_workbook(template)
    assert book.sheetnames == ["Candidats", "Notice"]
    notice = {r[1]: r for r in book["Notice"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert notice["dj_hopital"][3].startswith("4 ou 5 ou 6")
    assert "na-mg-2023.toml" in notice["duree"][4]
    headers = [c.value for c in book["Candidats"][1]]
    canonical = ds.CANONICAL
    with canonical.open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle, delimiter=";"))
    from zoning.report.columns import match_columns

    theirs = match_columns(list(source[0].keys())).fields
    ours = match_columns(headers).fields
    filled = Workbook()
    ws = filled.active
    assert ws is not None
    ws.append(headers)
    for row in source:
        ws.append(
            [
                row.get(theirs[f], "") if f in theirs else ""
                for f in (next(k for k, v in ours.items() if v == h) for h in headers)
            ]
        )
    filled_path = tmp_path / "modele-rempli.xlsx"
    filled.save(filled_path)
    outs = []
    for path in (canonical, filled_path):
        out = tmp_path / f"{path.stem}-resultats.xlsx"
        args = ["batch", str(path), "-p", "na-mg-2023", "-o", str(out), "--no-progress"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outs.append([(r["statut"], r["zone_site1"]) for r in _results(out)])
    assert outs[0] == outs[1]
    assert len(outs[0]) == len(source)


def test_assign_reads_a_mixed_encoding_csv_line_by_line(
    env: None, zone_truth: dict[str, str], tmp_path: Path
) -> None:
    src, out = tmp_path / "points.csv", tmp_path / "points-zones.csv"
    src.write_bytes(
        b"nom;lon;lat\n"
        + "Guéret;1,8711;46,1716\n".encode("cp1252")
        + b"Bellac (Haute-Vienne);1.04116;46.10491\n"
    )
    result = CliRunner().invoke(cli, ["assign", str(src), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [r["nom"] for r in rows] == ["Guéret", "Bellac (Haute-Vienne)"]
    assert [r["zone"] for r in rows] == [zone_truth["23096"], zone_truth["87011"]]
