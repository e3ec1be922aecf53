"""Issue 23 defects 2, 3, 4 end to end: files written the way people write them.

Synthetic rows (made-up people) over the fixture set's real places: CH de Guéret
(FINESS 230000820) and a site in Aubusson (23008, ZAC of the 2022 decree) — the
sample file's EX01, expected « éligible » (see data/examples/candidats_exemple.csv).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from zoning.locate.finess import FinessLocator
from zoning.report.service import run_batch


def _write(path: Path, rows: list[list[str]]) -> Path:
    """The rows, each with an RPPS and the hospital's category added at the end."""
    extra = [["N° RPPS", "Catégorie de l'établissement"]] + [
        ["10000000001", "Centre hospitalier"]
    ] * (len(rows) - 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(r + e for r, e in zip(rows, extra, strict=True))
    return path


def _results(store: Any, finess: FinessLocator, path: Path, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "resultats.csv"
    run_batch(path, "na-mg-2023", out, store, finess=finess, progress=False)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


ORDRE_HEADERS = [
    "N° dossier",
    "Êtes-vous inscrit au tableau de l'Ordre ?",
    "Date d'inscription au tableau de l'Ordre",
    "Attestation d'inscription à l'Ordre",
    "Numéro FINESS de l'établissement employeur",
    "Nombre de demi-journées hebdomadaires à l'hôpital",
    "Commune du cabinet (Code insee)",
    "Type de structure",
    "Date de prise de fonctions",
    "Durée de l'engagement (en mois)",
]


def test_three_ordre_columns_the_dates_are_used(
    fixture_store: Any, fixture_finess_locator: FinessLocator, tmp_path: Path
) -> None:
    """Defect 2: the yes/no, the date and the attachment all mention the Ordre; the
    cells settle it, and the rows are « éligible », not « date … non fournie »."""
    rows = [
        ["D1", "Oui", "15/09/2023", "certificat_ordre.pdf", "230000820", "5", "23008", "MSP",
         "01/11/2023", "24"],
        ["D2", "Oui", "2023-09-15", "https://www.demarches-simplifiees.fr/pj/42", "230000820",
         "5", "23008", "MSP", "01/11/2023", "24"],
    ]  # fmt: skip
    path = _write(tmp_path / "ordre.csv", [ORDRE_HEADERS, *rows])
    result = _results(fixture_store, fixture_finess_locator, path, tmp_path)
    assert [r["statut"] for r in result] == ["éligible", "éligible"], [r["motifs"] for r in result]
    assert not any("non fournie" in r["motifs"] for r in result)


def test_values_typed_by_hand_and_workbook_headers(
    fixture_store: Any, fixture_finess_locator: FinessLocator, tmp_path: Path
) -> None:
    """Defects 3 and 4: « 1er nov. 2023 », « 2 ans », « 5 demi-journées » and the header
    « ½ journées hôpital / sem. » (once a missing mandatory column: the file refused)."""
    headers = [
        "Réf.", "Inscrit à l'Ordre le", "FINESS CH", "½ journées hôpital / sem.",
        "Structure (ville)", "Code INSEE cabinet", "Date de début", "Durée", "Type de structure",
    ]  # fmt: skip
    rows = [
        ["H1", "15 sept. 2023", "230000820", "5", "MSP d'Aubusson", "23008", "1er nov. 2023",
         "2 ans", "MSP"],
        ["H2", "15.09.23", "230000820", "5 demi-journées", "MSP d'Aubusson", "23008",
         "01/11/23", "24 mois", "MSP"],
        ["H3", "15/09/2023", "230000820", "5,0", "MSP d'Aubusson", "23008", "novembre 2023",
         "deux ans", "MSP"],
        ["H4", "15/09/2023", "230000820", "5", "MSP d'Aubusson", "23008", "31/02/2023", "24",
         "MSP"],
    ]  # fmt: skip
    path = _write(tmp_path / "classeur.csv", [headers, *rows])
    result = _results(fixture_store, fixture_finess_locator, path, tmp_path)
    status = [r["statut"] for r in result]
    assert status[:2] == ["éligible", "éligible"], [r["motifs"] for r in result]
    # A month without a day: not guessed, « à vérifier » with the value quoted.
    assert status[2] == "à vérifier" and "« novembre 2023 »" in result[2]["motifs"]
    assert "jour manquant" in result[2]["motifs"]
    # An impossible date: quoted in the reason.
    assert status[3] == "données invalides"
    assert "date de début illisible : « 31/02/2023 »" in result[3]["motifs"]


def test_ds_organisation_applicant_columns_are_not_the_site(
    fixture_store: Any, fixture_finess_locator: FinessLocator, tmp_path: Path
) -> None:
    """Defect 4 (DS): in an organisation's export the « Etablissement … » columns are the
    applicant (here the hospital, in Guéret): never the ambulatory site (Aubusson)."""
    headers = [
        "ID", "Email", "Etablissement SIRET", "Etablissement raison sociale",
        "Etablissement adresse", "Etablissement code postal", "Etablissement commune",
        "Etablissement code INSEE localité", "Numéro FINESS de l'établissement employeur",
        "Nombre de demi-journées hebdomadaires à l'hôpital",
        "Date d'inscription au tableau de l'Ordre des médecins", "Commune",
        "Commune (Code insee)", "Type de structure d'exercice", "Date de prise de fonctions",
        "Durée de l'engagement (en mois)",
    ]  # fmt: skip
    rows = [
        ["1001", "ch@example.org", "26230001200017", "CENTRE HOSPITALIER DE GUERET",
         "39 avenue de la Sénatorerie", "23000", "Guéret", "23096", "230000820", "5",
         "15/09/2023", "Aubusson", "23008", "MSP", "01/11/2023", "24"],
    ]  # fmt: skip
    path = _write(tmp_path / "ds_organisation.csv", [headers, *rows])
    result = _results(fixture_store, fixture_finess_locator, path, tmp_path)
    assert result[0]["statut"] == "éligible", result[0]["motifs"]
    assert "Guéret" not in result[0].get("site 1 commune", "")
