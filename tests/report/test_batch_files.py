"""Batch runs over the nasty files people really send, written here from real places.

Hospitals are real FINESS numbers, communes real INSEE codes with their real
La Poste reference points; the people are made up.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from zoning.errors import InvalidInputError
from zoning.locate.finess import FinessLocator
from zoning.report.service import run_batch

REPO = Path(__file__).resolve().parents[2]
HEADERS = [
    "Nom",
    "N° RPPS",
    "Date d'inscription à l'Ordre",
    "Spécialité",
    "FINESS",
    "Type établissement",
    "Demi-journées hôpital",
    "Site code INSEE",
    "Site commune",
    "Type de structure",
    "Date de début",
    "Durée",
    "Remarque",
]
# (name, rpps, ordre, specialty, finess, type, half-days, insee, commune, structure, start,
#  months, note) -> expected status
ROWS: list[tuple[list[str], str]] = [
    (
        [
            "Hélène Fictive",
            "10000000001",
            "15/09/2023",
            "Médecine générale",
            "230000820",
            "Centre hospitalier",
            "5",
            "23008",
            "Aubusson",
            "Maison de santé",
            "01/11/2023",
            "24",
            "ZAC",
        ],
        "éligible",
    ),
    (
        [
            "Loïc Fictif",
            "10000000002",
            "02/11/2023",
            "Médecine générale",
            "870000064",
            "CHU",
            "6",
            "87011",
            "Bellac",
            "Cabinet libéral",
            "01/11/2023",
            "24",
            "Ordre trop tard",
        ],
        "non éligible",
    ),
    (
        [
            "Zoé Fictive",
            "10000000003",
            "01/10/2023",
            "Médecine générale",
            "870000064",
            "CHU",
            "5",
            "87085",
            "Limoges",
            "Centre de santé",
            "01/05/2024",
            "24",
            "HZ avec QPV",
        ],
        "à vérifier",
    ),
    (
        [
            "Noël Fictif",
            "123",
            "01/10/2023",
            "Médecine générale",
            "190000018",
            "CH",
            "4",
            "19272",
            "Tulle",
            "Centre de santé",
            "01/11/2024",
            "24",
            "RPPS court",
        ],
        "données invalides",
    ),
    (
        [
            "=1+1",
            "10000000005",
            "01/10/2023",
            "Médecine générale",
            "190000018",
            "CH",
            "4",
            "19272",
            "Tulle",
            "@SUM(A1)",
            "01/11/2024",
            "24",
            "-2+3",
        ],
        "à vérifier",
    ),
]


def _run(
    store: Any, finess: FinessLocator, path: Path, out: Path, programme: str = "na-mg-2023"
) -> Any:
    return run_batch(path, programme, out, store, finess=finess, progress=False)


def _statuses(out: Path) -> list[str]:
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return [row["statut"] for row in csv.DictReader(handle, delimiter=";")]


def test_windows_1252_semicolon_csv_from_excel(
    store: Any, finess_locator: FinessLocator, tmp_path: Path
) -> None:
    path = tmp_path / "candidats.csv"
    lines = [";".join(HEADERS)] + [";".join(r) for r, _ in ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    out = tmp_path / "resultats.csv"
    run = _run(store, finess_locator, path, out)
    assert run.rows == len(ROWS)
    assert _statuses(out) == [s for _, s in ROWS]
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows[0]["Nom"] == "Hélène Fictive"
    assert rows[0]["zone_site1"] == "ZAC" and rows[0]["commune_site1"] == "Aubusson (23008)"
    assert rows[0]["financement_mensuel"] == "3130.42"
    assert rows[0]["precision_etablissement"].startswith("FINESS")
    # Guéret hospital -> Aubusson known by its commune only: the straight-line range to
    # the commune's polygon, reported without a verdict (na-mg-2023 has no premium).
    assert 30.0 < float(rows[0]["distance_km_site1"]) < float(rows[0]["distance_max_km_site1"])
    assert rows[0]["regle_20km_site1"].startswith("entre 30,")
    assert "sans objet" in rows[0]["regle_20km_site1"]
    # formula injection neutralised
    assert rows[4]["Nom"] == "'=1+1" and rows[4]["Remarque"] == "'-2+3"
    assert rows[4]["Type de structure"] == "'@SUM(A1)"
    assert (tmp_path / "resultats.provenance.txt").read_text(encoding="utf-8").count(
        "25 avril 2022"
    ) >= 1


def test_bom_comma_csv_blank_duplicate_extra_columns(
    fixture_store: Any, fixture_finess_locator: FinessLocator, tmp_path: Path
) -> None:
    path = tmp_path / "bom.csv"
    headers = [h.upper() for h in HEADERS] + ["Colonne en plus"]
    body = [[*r, "x"] for r, _ in ROWS[:3]]
    rows = [body[0], [""] * len(headers), body[1], body[0], body[2]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
        handle.write("\n\n")  # trailing blank lines are dropped
    out = tmp_path / "out.csv"
    run = _run(fixture_store, fixture_finess_locator, path, out)
    assert run.rows == 5
    assert _statuses(out) == [
        "éligible",
        "données invalides",
        "non éligible",
        "données invalides",
        "à vérifier",
    ]
    assert "Colonne en plus" in run.column_map.unknown
    with out.open(encoding="utf-8-sig", newline="") as handle:
        result = list(csv.DictReader(handle, delimiter=";"))
    assert result[1]["motifs"] == "ligne vide"
    assert result[3]["motifs"] == "ligne en double (identique à la ligne 2)"
    assert [r["NOM"] for r in result] == [r[0] for r in rows]


def test_tab_separated_with_too_many_cells(
    fixture_store: Any, fixture_finess_locator: FinessLocator, tmp_path: Path
) -> None:
    path = tmp_path / "tab.txt"
    lines = ["\t".join(HEADERS), "\t".join(ROWS[0][0]), "\t".join([*ROWS[0][0][:-1], "b", "c"])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    _run(fixture_store, fixture_finess_locator, path, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        result = list(csv.DictReader(handle, delimiter=";"))
    assert [r["statut"] for r in result] == ["éligible", "données invalides"]
    assert "ligne mal formée : 14 valeurs pour 13 colonnes" in result[1]["motifs"]


def test_missing_required_column_lists_what_is_expected(fixture_store: Any, tmp_path: Path) -> None:
    path = tmp_path / "incomplet.csv"
    path.write_text("Nom;RPPS;Site code INSEE\nA;10000000001;23096\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        run_batch(path, "na-mg-2023", tmp_path / "o.csv", fixture_store, progress=False)
    message = str(info.value)
    assert "colonnes obligatoires absentes" in message
    assert "localisation de l'établissement" in message
    assert "demi-journées hôpital" in message and "date de début" in message
    assert "« Nom »" in message


def test_excel_with_title_row_above_header_to_excel(
    store: Any, finess_locator: FinessLocator, tmp_path: Path
) -> None:
    path = tmp_path / "candidats.xlsx"
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Candidatures postes partagés 2023 — ARS Nouvelle-Aquitaine"])
    ws.append([])
    ws.append(HEADERS)
    for row, _ in ROWS:
        values: list[Any] = list(row)
        values[1] = int(row[1]) if row[1].isdigit() else row[1]  # Excel stores numbers
        values[4] = int(row[4])
        values[6] = float(row[6])
        ws.append(values)
    for cell in ws[ws.max_row]:  # text that looks like formulas, as Excel stores typed text
        if isinstance(cell.value, str) and cell.value[:1] in "=@-":
            cell.data_type = "s"
    book.save(path)
    out = tmp_path / "resultats.xlsx"
    run = _run(store, finess_locator, path, out)
    assert run.rows == len(ROWS)
    result = load_workbook(out)
    assert result.sheetnames == ["Résultats", "Synthèse", "Motifs", "Provenance"]
    sheet = result["Résultats"]
    header = [c.value for c in sheet[1]]
    statut = header.index("statut")
    assert [r[statut] for r in sheet.iter_rows(min_row=2, values_only=True)] == [s for _, s in ROWS]
    assert sheet.cell(6, 1).value == "'=1+1"
    summary = {(r[0], r[1]): r for r in result["Synthèse"].iter_rows(min_row=2, values_only=True)}
    assert summary[("ensemble", "toutes les lignes")][-1] == len(ROWS)
    assert summary[("zone", "ZAC")][2] == 1
    prov = {r[0]: r[1] for r in result["Provenance"].iter_rows(min_row=2, values_only=True)}
    assert prov["outil"].startswith("zoning ")
    assert "25 avril 2022" in prov["arrêté de zonage appliqué"]
    assert prov["ligne d'en-tête"] == 3


def test_geojson_output_and_example_file(
    store: Any, finess_locator: FinessLocator, tmp_path: Path
) -> None:
    example = REPO / "data" / "examples" / "candidats_exemple.csv"
    out = tmp_path / "exemple.geojson"
    run = _run(store, finess_locator, example, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    with example.open(encoding="utf-8") as handle:
        n_input = sum(1 for _ in handle) - 1
    assert run.rows == n_input == len(doc["features"])
    assert set(run.counts) == {"éligible", "non éligible", "à vérifier", "données invalides"}
    assert all(n > 0 for n in run.counts.values())  # the example covers every status
    ids = [f["properties"]["Identifiant"] for f in doc["features"]]
    assert ids[:3] == ["EX01", "EX02", "EX03"]
    # every row's expected status is written in its comment
    for feature in doc["features"]:
        props = feature["properties"]
        if props["Identifiant"]:
            comment = props["Commentaire (exemple fictif)"]
            if props["Identifiant"] == "EX01" and props["statut"] == "données invalides":
                continue  # the duplicated line
            assert comment.startswith(props["statut"]), (props["Identifiant"], props["motifs"])
