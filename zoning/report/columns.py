"""Match a user's column headers to the fields of a batch, leniently.

Headers are compared after folding case, accents, spaces and punctuation
(« Date d'inscription à l'Ordre », « DATE_INSCRIPTION_ORDRE » and
« date inscription ordre » are the same). Each field has a list of French aliases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from zoning.errors import InvalidInputError
from zoning.rules.types import normalise_text

MAX_SITES = 3

# field -> (French description for messages, aliases)
_BASE: dict[str, tuple[str, tuple[str, ...]]] = {
    "ref": (
        "identifiant du dossier",
        (
            "id",
            "identifiant",
            "ref",
            "reference",
            "n dossier",
            "no dossier",
            "numero dossier",
            "num dossier",
            "dossier",
            "numero",
        ),
    ),
    "nom": (
        "nom du candidat",
        (
            "nom",
            "candidat",
            "nom candidat",
            "nom du candidat",
            "medecin",
            "nom prenom",
            "nom et prenom",
            "nom du medecin",
        ),
    ),
    "prenom": ("prénom", ("prenom", "prenom candidat")),
    "rpps": ("n° RPPS", ("rpps", "n rpps", "no rpps", "numero rpps", "num rpps", "rpps candidat")),
    "ordre": (
        "date d'inscription à l'Ordre",
        (
            "ordre",
            "date ordre",
            "inscription ordre",
            "date inscription ordre",
            "date d inscription a l ordre",
            "inscription a l ordre",
            "date inscription a l ordre",
            "date d inscription ordre",
        ),
    ),
    "specialite": ("spécialité", ("specialite", "discipline", "specialite candidat")),
    "type_etablissement": (
        "type d'établissement",
        (
            "type etablissement",
            "type d etablissement",
            "statut etablissement",
            "categorie etablissement",
            "type hopital",
            "etablissement type",
            "statut juridique",
        ),
    ),
    "dj_hopital": (
        "demi-journées par semaine à l'hôpital",
        (
            "demi journees hopital",
            "dj hopital",
            "nb demi journees hopital",
            "nombre demi journees hopital",
            "demi journees etablissement",
            "hopital demi journees",
            "demi journees a l hopital",
            "demi journees hospitalieres",
        ),
    ),
    "quotite_hopital": (
        "quotité hospitalière en %",
        (
            "quotite",
            "quotite hopital",
            "quotite hospitaliere",
            "temps hopital",
            "pourcentage hopital",
            "taux hopital",
        ),
    ),
    "date_debut": (
        "date de prise de poste",
        (
            "date debut",
            "debut",
            "date de debut",
            "prise de poste",
            "date de prise de poste",
            "date prise de poste",
            "date prise de fonction",
            "date de prise de fonction",
            "date de prise de fonctions",
        ),
    ),
    "date_depot": (
        "date de dépôt de la candidature",
        (
            "date depot",
            "depot",
            "date de depot",
            "date de depot de la candidature",
            "date candidature",
            "date de candidature",
        ),
    ),
    "duree": (
        "durée en mois",
        (
            "duree",
            "duree mois",
            "duree en mois",
            "duree du contrat",
            "duree contrat",
            "nb mois",
        ),
    ),
    "derogation_duree": (
        "dérogation de durée (oui/non)",
        (
            "derogation duree",
            "derogation 1 an",
            "derogation un an",
            "derogation d un an",
        ),
    ),
    "repartition_motivee": (
        "répartition motivée (oui/non)",
        (
            "repartition motivee",
            "motivation repartition",
            "modulation motivee",
        ),
    ),
    "derogation_prime": (
        "dérogation ARS à la règle des 20 km",
        (
            "derogation prime",
            "derogation 20 km",
            "derogation 20km",
            "derogation distance",
            "derogation ars",
            "derogation",
        ),
    ),
    "carence": (
        "carence constatée par l'ARS (oui/non)",
        (
            "carence",
            "carence constatee",
            "constat de carence",
        ),
    ),
    "cout_mensuel": (
        "coût mensuel du poste (ou écart salaire - recettes)",
        (
            "cout mensuel",
            "cout mensuel poste",
            "cout du poste",
            "cout mensuel du poste",
            "ecart salaire recettes",
            "difference salaire recettes",
        ),
    ),
}

# site attribute -> (description, suffix aliases)
_SITE_ATTRS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lon": ("longitude", ("lon", "lng", "longitude", "x")),
    "lat": ("latitude", ("lat", "latitude", "y")),
    "insee": (
        "code commune INSEE",
        (
            "insee",
            "code insee",
            "code commune",
            "commune insee",
            "code commune insee",
            "cog",
        ),
    ),
    "cp": ("code postal", ("cp", "code postal", "codepostal")),
    "ville": ("commune", ("commune", "ville", "nom commune", "localite")),
    "finess": ("n° FINESS", ("finess", "n finess", "no finess", "finess et", "numero finess")),
    "adresse": ("adresse", ("adresse", "adresse postale", "rue")),
    "nom": ("nom", ("nom", "raison sociale", "libelle")),
    "type": ("type de structure", ("type", "type structure", "categorie", "statut")),
    "dj": (
        "demi-journées par semaine",
        (
            "demi journees",
            "dj",
            "nb demi journees",
            "nombre demi journees",
            "demi journees semaine",
        ),
    ),
}

_HOSPITAL_PREFIXES = ("etablissement", "hopital", "site principal", "etab", "hop", "employeur")


def _site_prefixes(k: int) -> tuple[str, ...]:
    numbered = (
        f"site {k}",
        f"site{k}",
        f"site ambulatoire {k}",
        f"structure {k}",
        f"structure{k}",
        f"amb {k}",
        f"amb{k}",
        f"lieu {k}",
    )
    if k == 1:
        return (
            *numbered,
            "site",
            "site ambulatoire",
            "structure",
            "structure ambulatoire",
            "cabinet",
            "ambulatoire",
            "amb",
        )
    return numbered


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise_text(text))


def _fields() -> dict[str, tuple[str, tuple[str, ...]]]:
    fields = dict(_BASE)
    for attr, (desc, suffixes) in _SITE_ATTRS.items():
        if attr == "type":
            continue  # the hospital's type is "type_etablissement"
        aliases = tuple(f"{p} {s}" for p in _HOSPITAL_PREFIXES for s in suffixes) + tuple(
            f"{s} {p}" for p in _HOSPITAL_PREFIXES for s in suffixes
        )
        if attr == "nom":
            aliases += ("etablissement", "hopital", "site principal", "nom etablissement")
        if attr == "finess":
            aliases += suffixes  # a bare « FINESS » column is the employing establishment
        fields[f"hop_{attr}"] = (f"{desc} de l'établissement (site principal)", aliases)
    for k in range(1, MAX_SITES + 1):
        for attr, (desc, suffixes) in _SITE_ATTRS.items():
            prefixes = _site_prefixes(k)
            aliases = tuple(f"{p} {s}" for p in prefixes for s in suffixes) + tuple(
                f"{s} {p}" for p in prefixes for s in suffixes
            )
            if k == 1 and attr == "type":
                aliases += ("type structure", "type de structure", "type structure ambulatoire")
            fields[f"site{k}_{attr}"] = (f"{desc} du site ambulatoire {k}", aliases)
    return fields


FIELDS = _fields()
_ALIASES: dict[str, str] = {}
for _name, (_desc, _aliases) in FIELDS.items():
    for _alias in (_name, *_aliases):
        _ALIASES.setdefault(_squash(_alias), _name)


@dataclass(frozen=True)
class ColumnMap:
    """Which input column feeds which field; unknown columns are passed through."""

    fields: dict[str, str]
    unknown: tuple[str, ...]

    def describe(self) -> list[str]:
        """One French line per matched column: « En-tête » -> field (description)."""
        return [f"« {col} » -> {name} ({FIELDS[name][0]})" for name, col in self.fields.items()]

    def sites(self) -> list[int]:
        """Numbers of the ambulatory sites present in the file."""
        return [
            k
            for k in range(1, MAX_SITES + 1)
            if any(f.startswith(f"site{k}_") for f in self.fields)
        ]


def match_columns(headers: Sequence[str]) -> ColumnMap:
    """Match headers to fields; the first header matching a field wins."""
    fields: dict[str, str] = {}
    unknown = []
    for header in headers:
        name = _ALIASES.get(_squash(str(header)))
        if name is None or name in fields:
            unknown.append(str(header))
        else:
            fields[name] = str(header)
    return ColumnMap(fields, tuple(unknown))


def score_header(cells: Sequence[str]) -> int:
    """How many cells of a row are known headers (to find the header row)."""
    return sum(1 for c in cells if c and _squash(str(c)) in _ALIASES)


def _any(cmap: ColumnMap, prefix: str) -> bool:
    have = cmap.fields
    return (
        f"{prefix}_finess" in have
        or f"{prefix}_insee" in have
        or f"{prefix}_adresse" in have
        or (f"{prefix}_lon" in have and f"{prefix}_lat" in have)
        or (f"{prefix}_cp" in have and f"{prefix}_ville" in have)
        or f"{prefix}_ville" in have
    )


def require_columns(cmap: ColumnMap, hospital_required: bool, path: str) -> None:
    """Stop with a French message listing what is expected when a required column is missing."""
    missing = []
    if hospital_required and not _any(cmap, "hop"):
        missing.append(
            "localisation de l'établissement : « finess » ou « commune "
            "établissement » (code INSEE) ou « longitude/latitude établissement » ou "
            "« code postal + commune établissement » ou « adresse établissement »"
        )
    if not _any(cmap, "site1"):
        missing.append(
            "localisation du site ambulatoire : « site finess » ou « site code "
            "insee » ou « site longitude/latitude » ou « site code postal + site "
            "commune » ou « site adresse »"
        )
    if (
        hospital_required
        and "dj_hopital" not in cmap.fields
        and "quotite_hopital" not in cmap.fields
    ):
        missing.append("« demi-journées hôpital » (ou « quotité hôpital » en %)")
    if "date_debut" not in cmap.fields:
        missing.append("« date de début » (prise de poste)")
    if missing:
        found = ", ".join(f"« {c} »" for c in (*cmap.fields.values(), *cmap.unknown))
        raise InvalidInputError(
            f"{path} : colonnes obligatoires absentes :\n  - "
            + "\n  - ".join(missing)
            + f"\nColonnes trouvées : {found or 'aucune'}"
        )
