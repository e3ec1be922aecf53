"""Wordings of headers and styles of values, written apart from the tool's vocabulary.

Header wordings: for each field, the ways a form writer (long DS questions) or an
instructor (short headers: synonyms, abbreviations, « N° »/« n° »/« No », parentheses,
slashes, « ½ journées hôpital / sem. », « Structure (ville) » for the structure's name)
puts it, then a surface transform for instructors' headers (accents dropped, capitals,
lower case). Written from how ARS forms and tables are worded, not from ``zoning/``
(which this module never imports).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MONTHS_SHORT = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
]  # fmt: skip
NUMBER_WORDS = {1: "un", 2: "deux", 3: "trois"}

#: DS form questions (long labels, as a form writer phrases them), per field.
DS_QUESTIONS: dict[str, list[str]] = {
    "rpps": [
        "Numéro RPPS du candidat",
        "Votre n° RPPS (11 chiffres)",
        "Identifiant RPPS",
    ],
    "ordre_yesno": [
        "Êtes-vous inscrit au tableau de l'Ordre des médecins ?",
        "Inscription au tableau de l'Ordre : oui / non",
    ],
    "ordre_date": [
        "Date d'inscription au tableau de l'Ordre des médecins",
        "Depuis quand êtes-vous inscrit à l'Ordre ? (date)",
        "Date de votre inscription à l'ordre départemental",
    ],
    "ordre_file": [
        "Attestation d'inscription à l'Ordre (pièce jointe)",
        "Justificatif d'inscription au Conseil de l'Ordre",
    ],
    "finess": [
        "N° FINESS de l'établissement de santé d'accueil",
        "Numéro FINESS géographique de l'hôpital partenaire",
        "FINESS ET de l'établissement hospitalier",
    ],
    "hospital_name": [
        "Nom de l'établissement de santé d'accueil",
        "Raison sociale de l'hôpital partenaire",
    ],
    "half_days": [
        "Nombre de demi-journées hebdomadaires à l'hôpital",
        "Temps hospitalier (en demi-journées par semaine)",
        "Combien de demi-journées par semaine exercerez-vous à l'hôpital ?",
    ],
    "commune": [
        "Commune du lieu d'exercice ambulatoire",
        "Commune d'implantation du cabinet ou de la structure de ville",
        "Localisation de l'exercice en ville",
    ],
    "structure": [
        "Type de structure ambulatoire",
        "Nature du lieu d'exercice de ville",
        "Mode d'exercice ambulatoire",
    ],
    "structure_name": [
        "Nom de la structure ambulatoire",
        "Dénomination du cabinet, de la MSP ou du centre de santé",
    ],
    "start": [
        "Date prévisionnelle de prise de fonctions",
        "Date de début du poste partagé",
        "À quelle date commencez-vous ?",
    ],
    "duration": [
        "Durée de l'engagement",
        "Durée du contrat (mois ou années)",
        "Pour quelle durée vous engagez-vous ?",
    ],
    "derogation": [
        "Sollicitez-vous une dérogation pour une durée d'un an ?",
        "Demande de dérogation (engagement d'une année)",
    ],
    "project": [
        "Présentez votre projet professionnel",
        "Motivation et projet (texte libre)",
    ],
    "cv": ["Curriculum vitae", "CV (pdf)"],
}

#: Hand-made table headers: short, abbreviated, in any case.
HAND_HEADERS: dict[str, list[str]] = {
    "ident": ["N° dossier", "n° de dossier", "Réf.", "Num dossier", "Dossier n°"],
    "last_name": ["Nom", "NOM", "Nom du candidat", "Nom médecin"],
    "first_name": ["Prénom", "prenom", "Prénom candidat"],
    "rpps": ["RPPS", "N° RPPS", "n° rpps", "No RPPS", "Num. RPPS"],
    "ordre_yesno": ["Inscrit Ordre ?", "Inscrit au CDOM (O/N)"],
    "ordre_date": [
        "Date inscr. Ordre",
        "Inscription Ordre (date)",
        "date inscription CDOM",
        "Inscrit à l'Ordre le",
    ],
    "finess": ["FINESS hôpital", "N° FINESS CH", "Finess étab.", "FINESS (établissement)"],
    "hospital_name": ["Hôpital", "Etablissement de santé", "CH partenaire"],
    "half_days": [
        "½ journées hôpital / sem.",
        "1/2 j. CH / semaine",
        "Nb demi-journées hôpital",
        "DJ hôpital",
        "Demi-journées (hosp.)",
    ],
    "insee": ["Code INSEE site", "INSEE lieu d'exercice", "Code commune (INSEE)", "Cog commune"],
    "commune": ["Commune d'exercice", "Ville du cabinet", "Lieu d'exercice (commune)", "Commune"],
    "postcode": ["CP", "Code postal", "C.P. site"],
    "departement": ["Dépt", "Département", "Dep."],
    "structure": ["Type structure", "Type d'exercice ville", "Structure / type"],
    "structure_name": ["Structure (ville)", "Nom structure ville", "Cabinet / MSP / CDS"],
    "start": ["Début", "Date début", "Prise de poste", "Date de démarrage"],
    "duration": ["Durée", "Durée engagement", "Durée (mois)", "Engagement"],
    "derogation": ["Dérogation 1 an", "Dérog. durée ?"],
    "comment": ["Observations", "Commentaire instructeur", "Remarques ARS"],
    "email": ["Mail", "Courriel"],
}

STRUCTURES = {
    "msp": ["MSP", "Maison de santé pluriprofessionnelle", "Maison de santé"],
    "centre_sante": ["Centre de santé", "CDS"],
    "cabinet": ["Cabinet libéral", "Cabinet de groupe", "Cabinet médical libéral"],
}


def strip_accents(text: str) -> str:
    # NFD, not NFKD: « ½ » must stay one character (NFKD makes it « 1⁄2 »).
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def surface(rng: random.Random, text: str, ds: bool = False) -> str:
    """A random surface form: accents dropped, case changed (never for DS questions)."""
    if ds:
        return text
    roll = rng.random()
    if roll < 0.15:
        text = strip_accents(text)
    elif roll < 0.25:
        text = text.upper()
    elif roll < 0.35:
        text = text.lower()
    return text


def header(rng: random.Random, key: str, ds: bool) -> str:
    choices = (DS_QUESTIONS if ds else HAND_HEADERS).get(key) or HAND_HEADERS[key]
    return surface(rng, rng.choice(choices), ds)


# ---------------------------------------------------------------------------- values

DATE_STYLES = ("dmy", "dmy2", "dotted", "iso", "words", "words_short", "cell")


def date_text(day: dt.date, style: str) -> str | dt.date:
    """``day`` written in ``style``; « cell » gives the date itself (a date cell)."""
    if style == "cell":
        return day
    if style == "dmy":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "dmy2":
        return f"{day.day:02d}/{day.month:02d}/{day.year % 100:02d}"
    if style == "dotted":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if style == "iso":
        return day.isoformat()
    first = "1er" if day.day == 1 else str(day.day)
    if style == "words":
        return f"{first} {MONTHS[day.month - 1]} {day.year}"
    return f"{first} {MONTHS_SHORT[day.month - 1]} {day.year}"


DURATION_STYLES = ("months_number", "months_word", "years_figure", "years_word")


def duration_text(months: int, style: str) -> str | int:
    if style == "months_number":
        return months
    if style == "months_word" or months % 12:
        return f"{months} mois"
    years = months // 12
    if style == "years_figure":
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{NUMBER_WORDS[years]} an{'s' if years > 1 else ''}"


HALF_DAY_STYLES = ("number", "text", "half_sign", "comma")


def half_days_text(value: float, rng: random.Random) -> tuple[str | float, str]:
    """``value`` as typed; returns (value, style)."""
    if value != int(value):
        whole = int(value)
        if rng.random() < 0.5:
            return f"{whole} ½", "half_sign"
        return f"{whole},5", "comma"
    if rng.random() < 0.5:
        return int(value), "number"
    return f"{int(value)}", "text"


def commune_spelling(name: str, rng: random.Random) -> tuple[str, str]:
    """A commune's name as an instructor types it; returns (name, spelling)."""
    roll = rng.random()
    if roll < 0.55:
        return name, "officiel"
    if roll < 0.7:
        return strip_accents(name).upper(), "majuscules sans accents"
    if roll < 0.8:
        return name.replace("-", " "), "sans traits d'union"
    if re.search(r"\bSainte?-", name):
        return re.sub(r"\bSaint-", "St-", re.sub(r"\bSainte-", "Ste-", name)), "St abrégé"
    return name.lower(), "minuscules"


YES_NO = (("Oui", "Non"), ("oui", "non"), ("OUI", "NON"), ("O", "N"))


def yes_no(value: bool, rng: random.Random) -> str:
    pair = rng.choice(YES_NO)
    return pair[0] if value else pair[1]


def attachment(rng: random.Random, stem: str, ident: str) -> str:
    if rng.random() < 0.5:
        return f"{stem}_{ident}.pdf"
    return f"https://www.demarches-simplifiees.fr/api/v2/blobs/{ident}{rng.randrange(10**6):06d}"


PROJECT_LINES = [
    "Exercice partagé entre l'hôpital et une structure de ville.",
    "Souhait de m'installer durablement sur le territoire.",
    "Consultations de soins non programmés, suivi des patients chroniques.",
    "Participation à la permanence des soins ; « projet de santé » de la MSP.",
    "Formation de maître de stage envisagée; 2e année.",
]


def project_text(rng: random.Random) -> str:
    """A multi-line free answer (quotes, semicolons, line breaks)."""
    return "\n".join(rng.sample(PROJECT_LINES, rng.randint(2, 4)))
