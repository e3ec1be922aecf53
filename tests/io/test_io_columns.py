"""Headers recognised by meaning; doubts reported, never guessed; the user's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.errors import InvalidInputError
from zoning.report.columns import match_columns, parse_override, read_mapping_file

DS_HEADERS = {
    # header -> field it must feed (None: shown as not used)
    "ID": "ref",
    "Email": None,
    "Civilité": None,
    "Nom": "nom",
    "Prénom": "prenom",
    "Archivé": None,
    "État du dossier": None,
    "Dernière mise à jour le": None,
    "Déposé le": "date_depot",
    "Passé en instruction le": None,
    "Traité le": None,
    "Motivation de la décision": None,
    "Instructeurs": None,
    "Groupe instructeur": None,
    "Numéro RPPS du médecin": "rpps",
    "Date d'inscription au tableau de l'Ordre des médecins": "ordre",
    "Spécialité exercée": "specialite",
    "Numéro FINESS de l'établissement employeur": "hop_finess",
    "Statut juridique de l'établissement": "type_etablissement",
    "Nombre de demi-journées hebdomadaires à l'hôpital": "dj_hopital",
    "Commune du cabinet ou de la maison de santé": "site1_ville",
    "Commune du cabinet ou de la maison de santé (Code insee)": "site1_insee",
    "Commune du cabinet ou de la maison de santé (Département)": None,
    "Adresse de la structure ambulatoire": "site1_adresse",
    "Type de structure d'exercice": "site1_type",
    "Nombre de demi-journées hebdomadaires en cabinet": "site1_dj",
    "Commune du deuxième lieu d'exercice (Code insee)": "site2_insee",
    "Date de prise de fonctions": "date_debut",
    "Durée de l'engagement (en mois)": "duree",
    "Demandez-vous une dérogation de durée ?": "derogation_duree",
    "Quotité de temps hospitalier (%)": "quotite_hopital",
    "Avez-vous pris connaissance de la charte ?": None,
    "Pièce jointe : curriculum vitae": None,
}


def test_ds_question_labels_by_meaning() -> None:
    cmap = match_columns(list(DS_HEADERS))
    got = {c.header: c.field for c in cmap.columns}
    assert got == DS_HEADERS
    assert not cmap.warnings
    notes = {c.header: c.note for c in cmap.columns}
    assert "Démarches Simplifiées" in notes["Email"]
    assert cmap.sites() == [1, 2]


def test_bare_place_columns_go_to_the_site_when_the_hospital_has_a_finess() -> None:
    cmap = match_columns(["FINESS de l'hôpital", "Code postal", "Commune", "Date de début"])
    assert cmap.fields["site1_cp"] == "Code postal" and cmap.fields["site1_ville"] == "Commune"
    note = next(c.note for c in cmap.columns if c.header == "Commune")
    assert "FINESS" in note and "site ambulatoire" in note


def test_bare_place_columns_without_finess_are_ambiguous_not_guessed() -> None:
    cmap = match_columns(["Commune de l'hôpital (Code insee)", "Commune", "Date de début"])
    assert "site1_ville" not in cmap.fields
    assert any("« Commune »" in w and "ambiguë" in w for w in cmap.warnings)


def test_two_columns_for_one_field_are_ambiguous() -> None:
    cmap = match_columns(["Numéro FINESS de l'établissement", "FINESS de l'hôpital employeur"])
    assert "hop_finess" not in cmap.fields
    assert len(cmap.warnings) == 2 and all("aussi proposé" in w for w in cmap.warnings)
    # The user settles it.
    cmap = match_columns(
        ["Numéro FINESS de l'établissement", "FINESS de l'hôpital employeur"],
        {"FINESS de l'hôpital employeur": "hop_finess"},
    )
    assert cmap.fields == {"hop_finess": "FINESS de l'hôpital employeur"}


def test_unclear_and_unknown_headers_are_reported() -> None:
    cmap = match_columns(["Nom de la personne ou de l'organisme", "Type", "Zorglub"])
    assert cmap.fields == {}
    status = {c.header: c.status for c in cmap.columns}
    assert status["Type"] == "incertaine" and status["Zorglub"] == "non utilisée"


def test_overrides_name_the_field_and_the_header() -> None:
    with pytest.raises(InvalidInputError, match=r"champ inconnu : « commune ».*site1_insee"):
        match_columns(["Lieu"], {"Lieu": "commune"})
    with pytest.raises(InvalidInputError, match="colonne « Ville » absente"):
        match_columns(["Lieu"], {"Ville": "site1_ville"})
    assert parse_override("Lieu d'exercice=site1_ville") == ("Lieu d'exercice", "site1_ville")
    assert parse_override("Commentaire=") == ("Commentaire", None)
    with pytest.raises(InvalidInputError, match="En-tête=champ"):
        parse_override("site1_ville")


def test_mapping_file_bad_line_is_named(tmp_path: Path) -> None:
    good = tmp_path / "correspondances.toml"
    good.write_text('[colonnes]\n"Lieu" = "site1_ville"\n"Remarque" = ""\n', encoding="utf-8")
    assert read_mapping_file(good) == {"Lieu": "site1_ville", "Remarque": None}
    bad = tmp_path / "mauvais.toml"
    bad.write_text('[colonnes]\n"Lieu" = "site1_ville"\nRemarque = \n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"mauvais\.toml : ligne 3 : syntaxe TOML"):
        read_mapping_file(bad)
    unknown = tmp_path / "inconnu.toml"
    unknown.write_text('[colonnes]\n"Lieu" = "site1_ville"\n"Ville" = "ville"\n', "utf-8")
    with pytest.raises(InvalidInputError, match=r"inconnu\.toml : ligne 3 : champ inconnu"):
        read_mapping_file(unknown)
    number = tmp_path / "nombre.toml"
    number.write_text('"Lieu" = 3\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"nombre\.toml : ligne 1 : « Lieu »"):
        read_mapping_file(number)


def test_wordings_met_on_a_file_written_by_hand() -> None:
    """Headers of a list typed by an instructor (found when trying the web page on an
    ODS file the matcher had not been tuned to: « Inscrit à l'Ordre le » was unknown,
    and every row lost its date of registration)."""
    cmap = match_columns(["N° dossier", "Inscrit à l'Ordre le", "Discipline", "Numéro RPPS"])
    assert cmap.fields == {
        "ref": "N° dossier",
        "ordre": "Inscrit à l'Ordre le",
        "specialite": "Discipline",
        "rpps": "Numéro RPPS",
    }


def test_ordre_columns_settled_by_their_cells() -> None:
    """Issue 23 defect 2: three columns mention the Ordre; one holds Oui/Non, one dates,
    one attachments. The dates are used, and the mapping says why."""
    headers = [
        "Êtes-vous inscrit au tableau de l'Ordre ?",
        "Date d'inscription au tableau de l'Ordre",
        "Attestation d'inscription à l'Ordre",
    ]
    rows = [
        ["Oui", "15/09/2023", "certificat_ordre.pdf"],
        ["Non", "1er nov. 2024", "https://www.demarches-simplifiees.fr/fichiers/42"],
        ["Oui", "", "attestation ordre (2).jpg"],
    ]
    cmap = match_columns(headers, rows=rows)
    assert cmap.fields == {"ordre": "Date d'inscription au tableau de l'Ordre"}
    notes = {c.header: c.note for c in cmap.columns}
    assert "dates 2/2" in notes["Date d'inscription au tableau de l'Ordre"]
    assert "préférée à « Êtes-vous inscrit" in notes["Date d'inscription au tableau de l'Ordre"]
    assert "oui/non" in notes["Êtes-vous inscrit au tableau de l'Ordre ?"]
    assert "pièce jointe" in notes["Attestation d'inscription à l'Ordre"]
    assert not cmap.warnings


def test_words_tie_settled_by_contents_or_explained() -> None:
    # « Ordre » alone names the field as much as « Inscription Ordre »: the cells decide.
    headers = ["Inscription Ordre", "Ordre (inscrit)"]
    cmap = match_columns(headers, rows=[["X", "01/09/2023"], ["", "2023-10-02"]])
    assert cmap.fields == {"ordre": "Ordre (inscrit)"}
    # Both hold dates: the contents do not settle it; both are named, none is used.
    cmap = match_columns(headers, rows=[["01/09/2023", "01/09/2023"]])
    assert "ordre" not in cmap.fields
    assert all("le contenu ne tranche pas" in w for w in cmap.warnings) and len(cmap.warnings) == 2


def test_attachments_are_never_data() -> None:
    headers = ["Numéro FINESS de l'établissement", "Date de début", "Commune du cabinet"]
    rows = [["finess.pdf", "contrat.docx", "https://example.org/plan.png"]] * 3
    cmap = match_columns(headers, rows=rows)
    assert cmap.fields == {}
    assert all("pièce jointe" in c.note for c in cmap.columns)


def test_a_mandatory_field_is_kept_when_columns_tie() -> None:
    """Two « date de début » columns with dates: the file is not refused, the first is
    taken and the mapping says so (« choisie », à vérifier)."""
    headers = ["Date de prise de fonctions", "Date d'effet"]
    cmap = match_columns(headers, rows=[["01/11/2024", "01/11/2024"]])
    assert cmap.fields["date_debut"] == "Date de prise de fonctions"
    assert any("choisie" in w and "à vérifier" in w for w in cmap.warnings)


DS_ORGANISATION = [
    "ID", "Email", "Etablissement SIRET", "Etablissement siège social", "Etablissement NAF",
    "Etablissement raison sociale", "Etablissement adresse", "Etablissement code postal",
    "Etablissement commune", "Etablissement localité", "Etablissement code INSEE localité",
    "Entreprise SIREN", "Entreprise raison sociale", "Entreprise forme juridique",
    "Numéro FINESS de l'établissement employeur",
    "Nombre de demi-journées hebdomadaires à l'hôpital",
    "Commune du cabinet", "Commune du cabinet (Code insee)", "Date de prise de fonctions",
]  # fmt: skip


def test_ds_organisation_applicant_columns_are_not_places() -> None:
    """Issue 23 defect 4: the « Etablissement … » columns of an organisation's DS export
    describe the applicant, not the hospital's or the site's place."""
    cmap = match_columns(DS_ORGANISATION)
    fields = cmap.fields
    assert fields == {
        "ref": "ID",
        "hop_finess": "Numéro FINESS de l'établissement employeur",
        "dj_hopital": "Nombre de demi-journées hebdomadaires à l'hôpital",
        "site1_ville": "Commune du cabinet",
        "site1_insee": "Commune du cabinet (Code insee)",
        "date_debut": "Date de prise de fonctions",
    }
    notes = {c.header: c.note for c in cmap.columns}
    assert "demandeur" in notes["Etablissement code postal"]
    assert "demandeur" in notes["Entreprise raison sociale"]


def test_ds_individual_export_and_hand_made_etablissement_columns() -> None:
    # An individual procedure: Civilité, Nom, Prénom; no applicant columns.
    cmap = match_columns(["ID", "Civilité", "Nom", "Prénom", "Commune du cabinet"])
    assert cmap.fields == {"ref": "ID", "nom": "Nom", "prenom": "Prénom",
                           "site1_ville": "Commune du cabinet"}  # fmt: skip
    # Without an organisation's marker, « Etablissement commune » is the hospital's.
    cmap = match_columns(["Etablissement commune", "Site commune"])
    assert cmap.fields == {"hop_ville": "Etablissement commune", "site1_ville": "Site commune"}


def test_codes_without_their_leading_zero_and_addresses_in_a_commune_column() -> None:
    headers = ["FINESS CH", "Commune du cabinet", "Code INSEE cabinet", "Adresse du cabinet"]
    rows = [
        ["10000024", "12 rue des Lilas 23200 Aubusson", "1004", "Aubusson"],
        ["230000820", "3 avenue de la République, Guéret", "23008", "Le Bourg"],
    ]
    cmap = match_columns(headers[:3], rows=[r[:3] for r in rows])
    assert cmap.fields == {
        "hop_finess": "FINESS CH",
        "site1_adresse": "Commune du cabinet",
        "site1_insee": "Code INSEE cabinet",
    }
    assert "le contenu tranche" in cmap.columns[1].note
    # An address column holding names stays the address (« Le Bourg » is no commune).
    cmap = match_columns([headers[0], headers[3]], rows=[[r[0], r[3]] for r in rows])
    assert cmap.fields["site1_adresse"] == "Adresse du cabinet"


def test_an_attachment_word_in_a_header_yields_to_the_cells() -> None:
    header = "Nombre de demi-journées à l'hôpital (voir fichier joint)"
    assert match_columns([header]).fields == {}
    assert match_columns([header], rows=[["5"], ["4"]]).fields == {"dj_hopital": header}
    assert match_columns([header], rows=[["planning.pdf"]]).fields == {}


def test_ville_after_a_site_word_is_the_city_side_not_the_commune() -> None:
    headers = ["Nom structure ville", "Ville du cabinet", "Type d'exercice en ville"]
    rows = [["MSP Pasteur", "Guéret", "MSP"], ["Cabinet du Bourg", "Aubusson", "Cabinet de groupe"]]
    fields = {c.header: c.field for c in match_columns(headers, rows=rows).columns}
    assert fields == {
        "Nom structure ville": "site1_nom",
        "Ville du cabinet": "site1_ville",
        "Type d'exercice en ville": "site1_type",
    }


def test_a_place_named_by_its_role_only_holds_its_name_or_its_kind() -> None:
    headers = ["Hôpital", "Cabinet / MSP / CDS", "Mode d'exercice ambulatoire"]
    names = [
        ["CH de Guéret", "MSP du Bourg", "Maison de santé pluriprofessionnelle"],
        ["Hôpital privé d'Antony", "Cabinet de la Gare", "Centre de santé municipal"],
    ]
    fields = {c.header: c.field for c in match_columns(headers, rows=names).columns}
    assert fields == {
        "Hôpital": "hop_nom",
        "Cabinet / MSP / CDS": "site1_nom",
        "Mode d'exercice ambulatoire": "site1_type",
    }
    kinds = [["Centre hospitalier", "MSP"], ["Clinique", "Cabinet de groupe"]]
    fields = {c.header: c.field for c in match_columns(headers[:2], rows=kinds).columns}
    assert fields == {"Hôpital": "type_etablissement", "Cabinet / MSP / CDS": "site1_type"}
    # Names and kinds mixed: names (never read as a type, which would judge the row).
    mixed = [["CH de Guéret", "x"], ["Clinique", "y"], ["Centre hospitalier", "z"], ["?", "w"]]
    assert match_columns(["Hôpital", "n"], rows=mixed).columns[0].field == "hop_nom"
    codes = [["230780041"], ["870000015"]]
    assert match_columns(["CH partenaire"], rows=codes).columns[0].field == "hop_finess"


def test_start_date_ordre_and_duration_by_stems_and_acronyms() -> None:
    headers = [
        "À quelle date débuterez-vous ?",
        "Date inscription CDOM",
        "Engagement",
        "Demande de dérogation (engagement d'une année)",
        "Inscrit au CDOM (O/N)",
    ]
    rows = [["01/11/2025", "12/03/2019", "2 ans", "Non", "Oui"],
            ["2026-05-01", "01/09/2020", "24 mois", "Oui", "Oui"]]  # fmt: skip
    fields = [c.field for c in match_columns(headers, rows=rows).columns]
    assert fields == ["date_debut", "ordre", "duree", "derogation_duree", None]


def test_a_site_of_the_hospital_is_the_hospital() -> None:
    cmap = match_columns(["Commune du site hospitalier"], rows=[["Guéret"], ["Tulle"]])
    assert cmap.columns[0].field == "hop_ville"


def test_a_place_header_holding_commune_names_is_the_commune() -> None:
    """« Lieu d'exercice libéral » says where: beside a postal code column, cells such as
    « La Souterraine » are the site's commune (a hand-made workbook; before, its name, and
    the file was refused for want of the site's place)."""
    headers = ["Lieu d'exercice libéral", "CP lieu d'exercice"]
    rows = [["La Souterraine", "23300"], ["Aubusson", "23200"], ["Tulle", "19000"]]
    fields = {c.header: c.field for c in match_columns(headers, rows=rows).columns}
    assert fields == {"Lieu d'exercice libéral": "site1_ville", "CP lieu d'exercice": "site1_cp"}
    # A header naming the structure by its role only keeps holding its name or its kind.
    cmap = match_columns(["Cabinet / MSP"], rows=[["MSP des Monts"], ["Cabinet Dupont"]])
    assert cmap.columns[0].field != "site1_ville"
