"""The fields a candidates file's columns can feed, and what their cells hold.

A field is a fact of the application (``date_debut``, ``dj_hopital``) or an attribute of
one of its places: the employing hospital (``hop_insee``) or an ambulatory site
(``site2_ville``). :data:`FIELDS` names them all, with the French description the
messages, the column mapping and the template's notice show.
"""

from __future__ import annotations

from zoning.io.headers import load_vocabulary

MAX_SITES = 3

#: field -> French description (for messages, the mapping and the template's notice).
_BASE_FIELDS: dict[str, str] = {
    "ref": "identifiant du dossier",
    "nom": "nom du candidat",
    "prenom": "prénom",
    "rpps": "n° RPPS",
    "ordre": "date d'inscription à l'Ordre",
    "specialite": "spécialité",
    "type_etablissement": "type d'établissement",
    "dj_hopital": "demi-journées par semaine à l'hôpital",
    "quotite_hopital": "quotité hospitalière en %",
    "date_debut": "date de prise de poste",
    "date_depot": "date de dépôt de la candidature",
    "duree": "durée en mois",
    "derogation_duree": "dérogation de durée (oui/non)",
    "repartition_motivee": "répartition motivée (oui/non)",
    "derogation_prime": "dérogation ARS à la règle des 20 km",
    "carence": "carence constatée par l'ARS (oui/non)",
    "cout_mensuel": "coût mensuel du poste (ou écart salaire - recettes)",
}
#: Attribute of a place -> French description.
SITE_ATTRS: dict[str, str] = {
    "lon": "longitude",
    "lat": "latitude",
    "insee": "code commune INSEE",
    "cp": "code postal",
    "ville": "commune",
    "finess": "n° FINESS",
    "adresse": "adresse",
    "nom": "nom",
    "type": "type de structure",
    "dj": "demi-journées par semaine",
}


def _fields() -> dict[str, str]:
    fields = dict(_BASE_FIELDS)
    for attr, desc in SITE_ATTRS.items():
        if attr not in ("type", "dj"):  # the hospital's are type_etablissement, dj_hopital
            fields[f"hop_{attr}"] = f"{desc} de l'établissement (site principal)"
    for k in range(1, MAX_SITES + 1):
        for attr, desc in SITE_ATTRS.items():
            fields[f"site{k}_{attr}"] = f"{desc} du site ambulatoire {k}"
    return fields


#: Every field a column can feed: name -> French description.
FIELDS: dict[str, str] = _fields()

#: What the cells of a field (or of a place attribute) hold: « date », « oui_non »…
CONTENTS: dict[str, str] = dict(load_vocabulary("batch").data["contents"])


def field_kind(name: str) -> str:
    """The kind of contents a field expects (« site2_insee » -> « insee »)."""
    if name in CONTENTS:
        return CONTENTS[name]
    return CONTENTS.get(name.split("_", 1)[-1], "texte")
