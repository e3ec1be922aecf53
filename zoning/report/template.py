"""An empty candidates workbook for one programme, with a « Notice » sheet.

``zoning batch --modele modele.xlsx -p ID`` writes it: one column per field the
programme's rules use (headers the batch recognises exactly), and a notice saying
for each column what it holds, the values allowed by the programme's TOML file and
where the figure comes from.
"""

from __future__ import annotations

from pathlib import Path

from zoning.io.french import format_date
from zoning.io.xlsx import write_excel
from zoning.report.fields import FIELDS
from zoning.rules.programme import Programme
from zoning.rules.types import type_label

SHEET_TEMPLATE = "Candidats"
SHEET_NOTICE = "Notice"


def _types(codes: frozenset[str]) -> str:
    return " ; ".join(sorted(type_label(c) for c in codes)) or "aucun"


def template_columns(programme: Programme) -> list[tuple[str, str, str, str]]:
    """(header, field, allowed values, where it comes from) of the programme's template."""
    p = programme
    rules = f"règles du programme ({p.path.name})"
    cols: list[tuple[str, str, str, str]] = [
        ("Identifiant", "ref", "texte libre, unique par dossier", "dossier de candidature"),
        ("Nom", "nom", "texte libre", "dossier de candidature"),
        ("Prénom", "prenom", "texte libre", "dossier de candidature"),
        ("N° RPPS", "rpps", "11 chiffres", "annuaire santé (RPPS)"),
    ]
    if p.ordre_registration_by is not None:
        deadline = format_date(p.ordre_registration_by)
        cols.append(
            ("Date d'inscription à l'Ordre", "ordre", f"JJ/MM/AAAA, au plus tard le {deadline}",
             f"attestation d'inscription ; limite : {rules}")
        )  # fmt: skip
    if p.specialty is None:
        excluded = ", ".join(p.excluded_specialties)
        allowed = f"toutes sauf : {excluded}" if excluded else "toutes"
        cols.append(("Spécialité", "specialite", allowed, rules))
    if p.hospital_required:
        cols += [
            ("FINESS établissement", "hop_finess", "9 caractères (n° FINESS ET)",
             "FINESS ; le type d'établissement en est déduit quand la source le dit"),
            ("Type d'établissement", "type_etablissement", _types(p.establishment_types),
             f"facultatif si le FINESS le dit ; admis : {rules}"),
            ("Demi-journées hôpital", "dj_hopital",
             " ou ".join(f"{h:g}" for h in p.hospital_half_days)
             + f" (sur {p.week_half_days:g} par semaine)", rules),
        ]  # fmt: skip
    cols += [
        ("Site code INSEE", "site1_insee", "code commune INSEE (5 caractères)",
         "la zone (ZIP, ZAC, QPV) en est déduite par l'arrêté de zonage en vigueur"),
        ("Site code postal", "site1_cp", "5 chiffres (si pas de code INSEE)", "La Poste"),
        ("Site commune", "site1_ville", "nom de la commune (si pas de code INSEE)", "COG INSEE"),
        ("Site adresse", "site1_adresse", "adresse postale (facultative)", "BAN"),
        ("Site longitude", "site1_lon", "WGS84, degrés décimaux (facultatif)", "GPS, carte"),
        ("Site latitude", "site1_lat", "WGS84, degrés décimaux (facultatif)", "GPS, carte"),
        ("Type de structure", "site1_type", _types(p.structure_types), rules),
        ("Date de début", "date_debut", "JJ/MM/AAAA"
         + (f" ; mois admis : {', '.join(p.start_months)}" if p.start_months else ""), rules),
        ("Durée (mois)", "duree", " ou ".join(map(str, p.duration_months)), rules),
    ]  # fmt: skip
    if p.derogation_months:
        cols.append(
            ("Dérogation durée", "derogation_duree",
             f"oui / non (oui : {', '.join(map(str, p.derogation_months))} mois admis)", rules)
        )  # fmt: skip
    if p.other_split_if_motivated:
        cols.append(("Répartition motivée", "repartition_motivee", "oui / non", rules))
    if p.shortage_finding:
        cols.append(("Carence", "carence", "oui / non", "constat de carence de l'ARS"))
    if p.application_deadline is not None:
        cols.append(
            ("Date de dépôt", "date_depot",
             f"JJ/MM/AAAA, au plus tard le {format_date(p.application_deadline)}", rules)
        )  # fmt: skip
    if p.funding.kind in ("share_of_cost", "break_even"):
        cols.append(("Coût mensuel", "cout_mensuel", "euros par mois", p.funding.basis))
    return cols


def write_template(programme: Programme, path: Path) -> list[str]:
    """Write the empty workbook; returns its headers (each maps exactly to its field)."""
    cols = template_columns(programme)
    headers = [c[0] for c in cols]
    notice = [
        [header, name, FIELDS[name], allowed, origin] for header, name, allowed, origin in cols
    ]
    notice.append(["", "", "", "", ""])
    notice.append(["programme", programme.id, programme.title, "", " ; ".join(programme.sources)])
    write_excel(
        path,
        {
            SHEET_TEMPLATE: (headers, []),
            SHEET_NOTICE: (
                ["colonne", "champ", "description", "valeurs admises", "d'où vient le chiffre"],
                notice,
            ),
        },
    )
    return headers
