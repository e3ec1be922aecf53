"""Démarches Simplifiées-style exports from the canonical sample: made-up people, real places.

The layout follows DS's export code: a workbook with sheets « Dossiers »,
« Etablissements », « Avis » and one sheet per repeated block named « (id) label » cut
to 30 characters; fixed columns first (ID, Email, Civilité, Nom, Prénom, Archivé, État
du dossier, dates, Instructeurs…), then one column per form field headed by the field's
full question; a commune field as « Label », « Label (Code insee) », « Label
(Département) »; real dates in XLSX, DD/MM/YYYY in CSV; Oui/Non answers.

The people come from ``data/examples/candidats_exemple.csv`` (all made up); hospitals
are real FINESS numbers and communes real INSEE codes, named from the real COG 2022
file of the sources folder.

    python tests/io/make_ds_exports.py [SOURCES]   # writes data/examples/dossiers_*.xlsx
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CANONICAL = REPO / "data" / "examples" / "candidats_exemple.csv"
PROCEDURE = "postes-partages-mg-na"
EXPORT_NAME = f"dossiers_{PROCEDURE}_2023-05-02_10-15.xlsx"
BLOCK_SHEET = "(4242) Autres lieux d'exercice"[:30]

FIXED = [
    "ID", "Email", "Civilité", "Nom", "Prénom", "Archivé", "État du dossier",
    "Dernière mise à jour le", "Déposé le", "Passé en instruction le", "Traité le",
    "Motivation de la décision", "Instructeurs", "Groupe instructeur",
]  # fmt: skip
COMMUNE = "Commune du lieu d'exercice ambulatoire"
FORM = [
    "Référence de l'exemple (fictif)",
    "Présentez votre projet professionnel en quelques lignes",
    "Numéro RPPS",
    "Date d'inscription au tableau de l'Ordre des médecins",
    "Numéro FINESS de l'établissement employeur",
    "Catégorie de l'établissement employeur",
    "Nombre de demi-journées hebdomadaires à l'hôpital",
    COMMUNE,
    f"{COMMUNE} (Code insee)",
    f"{COMMUNE} (Département)",
    "Code postal du lieu d'exercice ambulatoire",
    "Longitude du lieu d'exercice ambulatoire",
    "Latitude du lieu d'exercice ambulatoire",
    "Type de structure d'exercice ambulatoire",
    "Date de prise de fonctions",
    "Durée de l'engagement (en mois)",
    "Demandez-vous une dérogation de durée d'un an ?",
    "Avez-vous pris connaissance de la charte du dispositif ?",
    "Curriculum vitae",
    "Commentaire (exemple fictif)",
]
BLOCK = [
    "Dossier ID", "Ligne", "Commune du lieu d'exercice", "Commune du lieu d'exercice (Code insee)",
    "Nombre de demi-journées hebdomadaires sur ce lieu", "Type de structure de ce lieu",
]  # fmt: skip


def canonical_rows() -> list[dict[str, str]]:
    """The canonical sample's rows that a DS export would hold (no blank row, no copy)."""
    with CANONICAL.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    seen: set[tuple[str, ...]] = set()
    out = []
    for row in rows:
        key = tuple(row.values())
        if not any(v.strip() for v in row.values()) or key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


def commune_names(sources: Path) -> dict[str, str]:
    """INSEE code -> name, from the real COG 2022 file (and the 2026 movements for old codes)."""
    names: dict[str, str] = {}
    with (sources / "cog_communes" / "cog2022_communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["COM"], row["LIBELLE"])
    with (sources / "cog_communes" / "cog_mouvements_communes_to2026.csv").open(
        encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["COM_AV"], row["LIBELLE_AV"])
    return names


def _date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def dossiers(sources: Path, *, dates_as_text: bool = False, yes: str = "Oui",
             no: str = "Non") -> tuple[list[str], list[list[Any]]]:  # fmt: skip
    """Headers and rows of the « Dossiers » sheet, one dossier per canonical row."""
    names = commune_names(sources)
    out: list[list[Any]] = []
    for i, row in enumerate(canonical_rows()):
        ident = 15_000_100 + i
        name = row["Nom (fictif)"]
        first, _, last = name.partition(" ")
        code = row["Site code INSEE"].strip()
        city = row["Site commune"].strip() or names.get(code, "")
        dep = code[:2] if code[:2].isdigit() else ""

        def day(text: str) -> Any:
            value = _date(text)
            if value is None:
                return text
            return value.strftime("%d/%m/%Y") if dates_as_text else value

        def number(text: str) -> Any:
            if dates_as_text or not text.strip():
                return text.replace(".", ",")
            return float(text) if "." in text else int(text)

        derog = row["Dérogation durée"].strip().lower()
        fixed = [
            ident, f"candidat{i + 1}@exemple.invalid", "Mme" if i % 2 == 0 else "M.",
            last or name, first, no, "en construction" if i % 5 == 4 else "en instruction",
            day("02/05/2023"), day("20/04/2023"), day("25/04/2023"), "", "",
            "instructeur@ars.exemple.invalid", "Nouvelle-Aquitaine",
        ]  # fmt: skip
        form = [
            row["Identifiant"], "Projet fictif d'exercice partagé ville-hôpital.",
            row["N° RPPS"], day(row["Date d'inscription à l'Ordre"]),
            row["FINESS établissement"], row["Type d'établissement"],
            number(row["Demi-journées hôpital"]), city, code,
            dep, row["Site code postal"],
            number(row["Site longitude"]), number(row["Site latitude"]),
            row["Type de structure"], day(row["Date de début"]),
            number(row["Durée (mois)"]), yes if derog == "oui" else (no if derog else ""),
            yes, "cv.pdf", row["Commentaire (exemple fictif)"],
        ]  # fmt: skip
        out.append([*fixed, *form])
    return [*FIXED, *FORM], out


def block_rows(first_id: int = 15_000_100) -> list[list[Any]]:
    """Repeated block: a second ambulatory site for the first dossier (Guéret, 23096)."""
    return [[first_id, 1, "Guéret", "23096", 1, "Cabinet libéral"]]


def write_xlsx(path: Path, sources: Path) -> Path:
    """The full DS workbook: Dossiers, Etablissements, Avis, one repeated block."""
    from openpyxl import Workbook

    headers, rows = dossiers(sources)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Dossiers"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    etab = book.create_sheet("Etablissements")
    etab.append([
        "Dossier ID", "Champ", "Établissement SIRET", "Établissement raison sociale",
        "Établissement adresse", "Établissement code postal", "Établissement localité",
    ])  # fmt: skip
    etab.append([rows[0][0], "Employeur", "26230014300013", "CENTRE HOSPITALIER DE GUERET",
                 "39 AVENUE DE LA SENATORERIE", "23000", "GUERET"])  # fmt: skip
    avis = book.create_sheet("Avis")
    avis.append(["Dossier ID", "Introduction", "Réponse", "Question", "Instructeur", "Expert"])
    avis.append([rows[0][0], "Avis de la commission", "Favorable", "", "instructeur", "expert"])
    block = book.create_sheet(BLOCK_SHEET)
    block.append(BLOCK)
    for row in block_rows(rows[0][0]):
        block.append(row)
    book.save(path)
    return path


def write_csv(path: Path, sources: Path) -> Path:
    """The « Dossiers » sheet as DS's CSV export, saved again by Excel: ``;``, Windows-1252."""
    headers, rows = dossiers(sources, dates_as_text=True)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_ods(path: Path, sources: Path) -> Path:
    """The « Dossiers » sheet as ODS (true/false answers), through pandas' odf engine."""
    import pandas as pd

    headers, rows = dossiers(sources, yes="true", no="false")
    frame = pd.DataFrame(rows, columns=headers)
    with pd.ExcelWriter(path, engine="odf") as writer:
        frame.to_excel(writer, sheet_name="Dossiers", index=False)
    return path


def main(argv: list[str]) -> None:
    """Write the example DS export next to the canonical sample."""
    sources = Path(argv[0]) if argv else REPO.parent / "shared" / "data"
    out = write_xlsx(REPO / "data" / "examples" / EXPORT_NAME, sources)
    print(f"written {out}")


def expected_status(comment: str) -> str:
    """The status the sample's comment states (written by hand: the independent truth)."""
    for status in ("non éligible", "à vérifier", "données invalides", "éligible"):
        if comment.startswith(status):
            return status
    raise AssertionError(comment)


if __name__ == "__main__":
    main(sys.argv[1:])
