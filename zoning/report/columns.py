"""Which input column feeds which field of a batch: headers recognised by meaning.

A header may be a short canonical name (« Site code INSEE ») or a whole question of a
Démarches Simplifiées (DS) form (« Numéro FINESS de l'établissement employeur »,
« Nombre de demi-journées hebdomadaires à l'hôpital »). Each field has a vocabulary:
an *attribute* (finess, code insee, commune, demi-journées, durée…) and, for places,
a *role* (the employing hospital, or ambulatory site 1, 2, 3). Words are compared
after folding (:mod:`zoning.io.text`) and fuzzily (rapidfuzz) so that plurals and
small typos agree.

Nothing is guessed silently: every column gets a French note; a low-confidence or
ambiguous match is left unused and reported, and the user settles it with
``--colonne "En-tête=champ"`` or a mapping file. Bare « Code postal », « Commune »,
« Adresse » columns go to the ambulatory site when the hospital is identified by its
FINESS number, and the note says so. A DS commune field comes as « X » and
« X (Code insee) »: the code is used, the name kept beside it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from zoning.errors import InvalidInputError
from zoning.io.text import fold, squash
from zoning.io.values import read_date, to_bool, to_half_days, to_months, to_number
from zoning.rules.types import TYPES

MAX_SITES = 3
#: Below this score a match is reported, not used.
MIN_SCORE = 0.6
#: Two candidates for one field closer than this are ambiguous.
AMBIGUITY_MARGIN = 0.05

# --- fields ------------------------------------------------------------------------------

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
_SITE_ATTRS: dict[str, str] = {
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
    for attr, desc in _SITE_ATTRS.items():
        if attr not in ("type", "dj"):  # the hospital's are type_etablissement, dj_hopital
            fields[f"hop_{attr}"] = f"{desc} de l'établissement (site principal)"
    for k in range(1, MAX_SITES + 1):
        for attr, desc in _SITE_ATTRS.items():
            fields[f"site{k}_{attr}"] = f"{desc} du site ambulatoire {k}"
    return fields


#: Every field a column can feed: name -> French description.
FIELDS: dict[str, str] = _fields()

# --- vocabulary (data: vocabulary.toml) ----------------------------------------------------


def _load_vocabulary() -> dict[str, Any]:
    """The header vocabulary, read once from ``vocabulary.toml`` beside this module."""
    import tomllib

    return tomllib.loads((Path(__file__).with_name("vocabulary.toml")).read_text("utf-8"))


_VOCABULARY = _load_vocabulary()
# Canonical short headers (the sample file's, the template's, older files'): exact.
_CANONICAL: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _VOCABULARY["canonical"].items()}
# The fixed columns of a DS export (not form fields): what they feed, or None.
DS_FIXED: dict[str, str | None] = {k: v or None for k, v in _VOCABULARY["ds_fixed"].items()}
_DS_ORGANISATION: dict[str, Any] = _VOCABULARY["ds_organisation"]
# Attribute of a place -> phrases (folded). A phrase matches a run of header words.
_ATTR_WORDS: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _VOCABULARY["attributes"].items()
}
_ROLES: dict[str, Any] = _VOCABULARY["roles"]
# Priority when a header names several attributes (« nom de la commune » is a commune).
_ATTR_ORDER: tuple[str, ...] = tuple(_ROLES["attribute_order"])
_HOSPITAL_WORDS: tuple[str, ...] = tuple(_ROLES["hospital"])
_SITE_WORDS: tuple[str, ...] = tuple(_ROLES["site"])
_ORDINALS: dict[str, int] = dict(_ROLES["ordinals"])
_CITY_SIDE_BEFORE: frozenset[str] = frozenset(_ROLES["city_side_before"])
_HOSPITAL_SITES: tuple[str, ...] = tuple(_ROLES["hospital_sites"])
# Fields that need no role: field -> alternatives, each a tuple of phrases all present.
_BASE_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    k: tuple(tuple(alt) for alt in v) for k, v in _VOCABULARY["fields"].items()
}
_ATTACHMENT_WORDS: tuple[str, ...] = tuple(_VOCABULARY["attachments"]["words"])
_ATTACHMENT_UNLESS: tuple[str, ...] = tuple(_VOCABULARY["attachments"]["unless"])
#: What the cells of a field (or of a place attribute) hold: « date », « oui_non »…
CONTENTS: dict[str, str] = dict(_VOCABULARY["contents"])


#: « ½ journées », « 1/2 journées » are « demi-journées ».
_HALF = re.compile(r"½|\b1\s*[/\u2044]\s*2\b")
ATTACHMENT_NOTE = "pièce jointe (noms de fichiers ou liens) : jamais une donnée"


def _token_match(word: str, token: str) -> bool:
    if word == token:
        return True
    if len(word) < 5 or len(token) < 4:
        return False
    # Plurals and typos; « struct. », « hospit. »: abbreviations of five letters or more.
    return (
        fuzz.ratio(word, token) >= 88
        or (len(word) >= 6 and token.startswith(word))
        or (len(token) >= 5 and word.startswith(token))
    )


def _find(phrase: str, tokens: Sequence[str]) -> tuple[int, int] | None:
    """Where the phrase's words run in the header's tokens (start, end), fuzzily."""
    words = phrase.split()
    for i in range(len(tokens) - len(words) + 1):
        if all(_token_match(w, tokens[i + j]) for j, w in enumerate(words)):
            return i, i + len(words)
    return None


def _has(phrase: str, tokens: Sequence[str]) -> bool:
    return _find(phrase, tokens) is not None


# --- one header --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What one header could feed, how sure we are, and why (French)."""

    field: str | None
    score: float
    note: str
    bare: str | None = None  # a place attribute with no role word (site or hospital?)
    #: Fields the words name equally (the cells may settle it).
    alternatives: tuple[str, ...] = ()
    #: The cells fit the field (False: not seen, or not settled by them).
    fit: bool = False
    #: The field the words named and the cells contradict.
    contradicted: str | None = None


def _role(tokens: list[str]) -> tuple[str | None, int | None, bool]:
    """("hop" | "site" | None, site number or None, both roles named)."""
    hospital = any(_has(w, tokens) for w in _HOSPITAL_WORDS)
    site = any(_has(w, tokens) for w in _SITE_WORDS)
    number = next((_ORDINALS[t] for t in tokens if t in _ORDINALS), None)
    if any(_has(w, tokens) for w in _HOSPITAL_SITES):
        return "hop", None, False
    if hospital and site:
        return None, number, True
    if hospital:
        return "hop", None, False
    if site:
        return "site", number or 1, False
    return None, number, False


@lru_cache(maxsize=4096)
def candidate(header: str) -> Candidate:
    """The best field for one header, with a score in 0..1 and a French note."""
    header = _HALF.sub(" demi ", header)
    folded = fold(header)
    if not folded:
        return Candidate(None, 0.0, "en-tête vide")
    squashed = squash(header)
    for name, aliases in _CANONICAL.items():
        if squashed in {squash(a) for a in (name, *aliases)}:
            return Candidate(name, 1.0, "nom de colonne connu")
    canonical = _canonical_site(squashed)
    if canonical:
        return Candidate(canonical, 1.0, "nom de colonne connu")
    if folded in DS_FIXED:
        target = DS_FIXED[folded]
        if target is None:
            return Candidate(None, 1.0, "colonne fixe Démarches Simplifiées, non utilisée")
        return Candidate(target, 1.0, "colonne fixe Démarches Simplifiées")
    # « Commune du cabinet (Département) » is DS's companion column: not ours.
    suffix = re.search(r"\(([^)]*)\)\s*$", header)
    tokens = folded.split()
    paren = fold(suffix.group(1)) if suffix else ""
    if paren.startswith("departement"):
        return Candidate(None, 1.0, "département d'un champ commune (DS), non utilisé")
    found = _by_meaning(tokens, paren)
    if any(_has(w, tokens) for w in _ATTACHMENT_WORDS) and not any(
        _has(w, tokens) for w in _ATTACHMENT_UNLESS
    ):
        # Unused unless its cells say otherwise (« Demi-journées (voir fichier joint) »).
        alternatives = (found.field,) if found.field else found.alternatives
        return Candidate(
            None, 1.0, f"{ATTACHMENT_NOTE} (d'après l'en-tête)", alternatives=alternatives
        )
    if (
        found.field is not None
        and CONTENTS.get(found.field) == "date"
        and header.rstrip().endswith("?")
        and not any(w in tokens for w in ("date", "quand", "depuis"))
    ):
        # « Êtes-vous inscrit au tableau de l'Ordre ? » is answered oui/non, not by a date.
        return Candidate(
            None, 0.5, f"question (« ? ») sans date : {found.field} ?", alternatives=(found.field,)
        )
    return found


def _canonical_site(squashed: str) -> str | None:
    """The older canonical spellings: « Site code INSEE », « Site 2 commune »,
    « Commune établissement », « lon_site1 »…"""
    return _SITE_CANONICAL.get(squashed)


def _build_site_canonical() -> dict[str, str]:
    data = _VOCABULARY["site_canonical"]
    suffixes: dict[str, list[str]] = data["suffixes"]
    out: dict[str, str] = {}
    for attr, words in suffixes.items():
        if attr in ("type", "dj"):
            continue
        for p in data["hospital"]:
            for s in words:
                out.setdefault(squash(f"{p} {s}"), f"hop_{attr}")
                out.setdefault(squash(f"{s} {p}"), f"hop_{attr}")
    for k in range(1, MAX_SITES + 1):
        prefixes = [n.format(k=k) for n in data["numbered"]]
        if k == 1:
            prefixes += data["site"]
        for attr, words in suffixes.items():
            for p in prefixes:
                for s in words:
                    out.setdefault(squash(f"{p} {s}"), f"site{k}_{attr}")
                    out.setdefault(squash(f"{s} {p}"), f"site{k}_{attr}")
    for name in FIELDS:
        out.setdefault(squash(name), name)
    return out


_SITE_CANONICAL = _build_site_canonical()


def _by_meaning(tokens: list[str], paren: str) -> Candidate:
    """Score a (long) header by its words: base fields first, then place attributes."""
    base = [
        (name, alt)
        for name, alternatives in _BASE_WORDS.items()
        for alt in alternatives
        if all(_has(p, tokens) for p in alt)
    ]
    # « Structure (ville) », « Nom structure ville », « exercice en ville »: in ARS usage
    # « ville » is then the city side (ambulatory), a role, not the commune.
    city_side = paren == "ville"
    named = tokens[:-1] if city_side else _without_city_side(tokens)
    attrs = [a for a in _ATTR_ORDER if any(_has(w, named) for w in _ATTR_WORDS[a])]
    if paren in ("code insee",):
        attrs = ["insee"]
    # « Ville de l'établissement »: « ville » is then the attribute, not the city side.
    role_tokens = [t for t in tokens if t != "ville"] if attrs[:1] == ["ville"] else tokens
    role, number, both = _role(role_tokens)
    if city_side and not attrs and role == "site":
        attrs = ["nom"]
    if not attrs and not base and role is not None and not both:
        return _role_only(role, number, place="lieu" in tokens)
    said = " ".join(tokens)
    # Demi-journées at the hospital / quotité: base fields built from a role.
    if attrs and attrs[0] == "dj" and role == "hop":
        return Candidate("dj_hopital", 0.95, f"demi-journées + hôpital (« {said} »)")
    if base:
        # The most specific reading wins (« dérogation de durée » is not « durée »).
        base.sort(key=lambda b: -sum(len(p.split()) for p in b[1]))
        top = sum(len(p.split()) for p in base[0][1])
        base = [b for b in base if sum(len(p.split()) for p in b[1]) == top]
        name, alt = base[0]
        if name == "quotite_hopital" and role == "site":
            return Candidate(None, 0.4, "quotité d'un site ambulatoire : non utilisée")
        others = {n for n, _ in base if n != name}
        if others:
            names = tuple(sorted({name, *others}))
            return Candidate(None, 0.5, f"ambiguë entre {', '.join(names)}", alternatives=names)
        return Candidate(name, 0.9, f"mots reconnus : {', '.join(alt)}")
    if not attrs:
        return Candidate(None, 0.0, "aucun mot connu")
    attr = attrs[0]
    if both:
        return Candidate(None, 0.5, f"{_SITE_ATTRS[attr]} : hôpital ou site ambulatoire ?")
    if role == "hop":
        if attr == "type":
            return Candidate("type_etablissement", 0.95, "type + établissement")
        if attr == "dj":
            return Candidate("dj_hopital", 0.95, "demi-journées + hôpital")
        return Candidate(f"hop_{attr}", 0.95, f"{_SITE_ATTRS[attr]} + établissement")
    if role == "site":
        k = number or 1
        if k > MAX_SITES:
            return Candidate(None, 0.4, f"site {k} : au plus {MAX_SITES} sites")
        return Candidate(f"site{k}_{attr}", 0.95, f"{_SITE_ATTRS[attr]} + site ambulatoire {k}")
    # No role word.
    if attr == "finess":
        return Candidate("hop_finess", 0.8, "FINESS sans autre précision : l'établissement")
    if attr == "nom":
        return Candidate(None, 0.4, "nom de quoi ? (candidat, établissement, structure)")
    if attr == "type":
        return Candidate(None, 0.5, "type de quoi ? (établissement ou structure)")
    return Candidate(None, 0.7, f"{_SITE_ATTRS[attr]} sans rôle", bare=attr)


def _without_city_side(tokens: list[str]) -> list[str]:
    """The tokens without a « ville » that names the city side (« cabinet de ville »)."""
    out = []
    for i, t in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        if t == "ville" and before in ("de", "d") and i >= 2:
            before = tokens[i - 2]
        if t == "ville" and before in _CITY_SIDE_BEFORE:
            continue
        out.append(t)
    return out


def _role_only(role: str, number: int | None, place: bool = False) -> Candidate:
    """« Hôpital », « CH partenaire », « Cabinet / MSP / CDS »: a place named by its role
    only holds its name, its kind or its FINESS number; the cells settle which (not a
    commune code: « 23000 » may as well be a postal code). A « lieu » (« Lieu d'exercice
    libéral ») says where: its cells may be the commune's name too."""
    if role == "hop":
        options: tuple[str, ...] = ("type_etablissement", "hop_finess", "hop_nom")
    else:
        k = number or 1
        if k > MAX_SITES:
            return Candidate(None, 0.4, f"site {k} : au plus {MAX_SITES} sites")
        options = (f"site{k}_type", f"site{k}_finess", f"site{k}_nom")
        if place:
            options = (f"site{k}_type", f"site{k}_finess", f"site{k}_ville", f"site{k}_nom")
    where = "établissement" if role == "hop" else f"site ambulatoire {number or 1}"
    what = "nom, type, commune ou FINESS ?" if len(options) > 3 else "nom, type ou FINESS ?"
    return Candidate(None, 0.5, f"{where} : {what}", alternatives=options)


# --- a whole header row ------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMatch:
    """One input column: the field it feeds (or None), the score, a French note."""

    header: str
    field: str | None
    score: float
    note: str
    #: « reconnue », « choisie », « imposée », « ambiguë », « incertaine », « non utilisée »
    status: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for the web page and JSON)."""
        return {
            "header": self.header,
            "field": self.field,
            "description": FIELDS.get(self.field or "", ""),
            "score": round(self.score, 2),
            "note": self.note,
            "status": self.status,
        }


@dataclass(frozen=True)
class ColumnMap:
    """Which input column feeds which field; every column is listed with a note."""

    columns: tuple[ColumnMatch, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> dict[str, str]:
        """Field -> header of the columns in use (input order)."""
        return {c.field: c.header for c in self.columns if c.field is not None}

    @property
    def unknown(self) -> tuple[str, ...]:
        """Headers of the columns copied through without being used."""
        return tuple(c.header for c in self.columns if c.field is None)

    @property
    def warnings(self) -> list[str]:
        """French lines for the ambiguous and uncertain columns."""
        return [
            f"« {c.header} » : {c.status} ({c.note})"
            for c in self.columns
            if c.status in ("ambiguë", "incertaine", "choisie")
        ]

    def describe(self) -> list[str]:
        """One French line per column in use: « En-tête » -> field (description) [note]."""
        return [
            f"« {c.header} » -> {c.field} ({FIELDS[c.field]}) [{c.note}]"
            for c in self.columns
            if c.field is not None
        ]

    def sites(self) -> list[int]:
        """Numbers of the ambulatory sites present in the file."""
        have = self.fields
        return [k for k in range(1, MAX_SITES + 1) if any(f.startswith(f"site{k}_") for f in have)]

    def to_dict(self) -> list[dict[str, Any]]:
        """Plain data, one entry per column."""
        return [c.to_dict() for c in self.columns]


def _check_field(name: str) -> str:
    if name not in FIELDS:
        known = ", ".join(FIELDS)
        raise InvalidInputError(f"champ inconnu : « {name} ». Champs possibles : {known}")
    return name


_IGNORE = {"", "-", "ignorer", "aucun", "non utilisee", "none"}


# --- contents ----------------------------------------------------------------------------

_URL = re.compile(r"^\s*(?:https?://|www\.)\S+", re.IGNORECASE)
_FILE = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|heic|tiff?|bmp|docx?|odt|rtf|txt|xlsx?|ods|csv|zip|7z|rar)"
    r"(?:\s*\([^)]*\))?\s*(?:[,;]|$)",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"\b(?:rue|avenue|av|bd|boulevard|place|chemin|route|rte|allee|impasse|quai|cours|square|"
    r"lieu dit|lotissement|residence|zone|za|zi|parc|cite|hameau|faubourg|voie|passage)\b"
)
# A spreadsheet drops the leading zero of the Ain's codes (« 1004 », « 10000024 »).
_INSEE = re.compile(r"^(?:\d{4,5}|2[AB]\d{3})$")
_POSTCODE = re.compile(r"^\d{4,5}$")
_FINESS = re.compile(r"^(?:\d{8,9}|2[AB]\d{7})$")
_RPPS = re.compile(r"^\d{11}$")
#: French names of the kinds of contents (for the notes).
KIND_LABELS = {
    "date": "dates", "oui_non": "oui/non", "nombre": "nombres",
    "demi_journees": "demi-journées", "duree": "durées", "insee": "codes INSEE",
    "code_postal": "codes postaux", "finess": "n° FINESS", "rpps": "n° RPPS",
    "commune": "noms courts", "adresse": "adresses", "texte": "texte",
    "piece_jointe": "pièces jointes", "type_structure": "types de structure",
}  # fmt: skip
#: Kinds from the most specific (to describe a column).
_SPECIFIC = (
    "piece_jointe", "date", "oui_non", "finess", "rpps", "insee", "code_postal", "nombre",
    "demi_journees", "duree", "type_structure", "adresse", "commune", "texte",
)  # fmt: skip
#: Cells sampled per column; the share of them that must fit a field's kind to settle a
#: choice, and below which they contradict the header.
SAMPLE = 200
FIT = 0.8
_CONTRADICT = 0.5


#: Every wording of a type (« msp », « centre de sante »…), longest first.
_TYPE_WORDINGS = sorted({s for code, (_, syns) in TYPES.items() for s in (*syns, code)}, key=len)[
    ::-1
]
_NAME_LINKS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux"})


def _is_type_wording(value: str) -> bool:
    """« MSP », « Centre de santé municipal », « Cabinet de groupe »: a kind of structure.
    Not « CH de Guéret » nor « Hôpital privé d'Antony »: a name that starts with a kind
    (a name column is not a type column, and the leading word may mislead)."""
    text = fold(value)
    wording = next((w for w in _TYPE_WORDINGS if text == w or text.startswith(w + " ")), None)
    if wording is None:
        return False
    rest = text[len(wording) :].split()
    return len(rest) <= 2 and not (set(rest) & _NAME_LINKS)


@lru_cache(maxsize=65_536)
def cell_kinds(text: str) -> frozenset[str]:
    """What one non-blank cell can be (several at once: « 23008 » is a code and a number)."""
    value = text.strip()
    if _URL.match(value) or _FILE.search(value):
        return frozenset({"piece_jointe"})
    kinds = {"texte"}
    upper = value.upper().replace(" ", "")
    if read_date(value)[1] != "illisible":
        kinds.add("date")
    if to_bool(value) is not None:
        kinds.add("oui_non")
    if to_number(value) is not None:
        kinds.add("nombre")
    if to_half_days(value) is not None:
        kinds.add("demi_journees")
    if to_months(value) is not None:
        kinds.add("duree")
    if _INSEE.match(upper):
        kinds.add("insee")
    if _POSTCODE.match(upper):
        kinds.add("code_postal")
    if _FINESS.match(upper):
        kinds.add("finess")
    if _RPPS.match(upper):
        kinds.add("rpps")
    if _is_type_wording(value):
        kinds.add("type_structure")
    folded = fold(value)
    if _STREET.search(folded) and any(c.isdigit() for c in folded):
        kinds.add("adresse")
    elif _INSEE.match(upper) or (len(folded.split()) <= 8 and "date" not in kinds and (
        not any(c.isdigit() for c in folded) or re.search(r"\b\d{5}\b", folded)
    )):  # fmt: skip
        kinds.add("commune")
    return frozenset(kinds)


@dataclass(frozen=True)
class Profile:
    """What a column's cells hold: count of sampled non-blank cells, share of each kind."""

    cells: int
    shares: dict[str, float]
    example: str

    def fit(self, kind: str) -> float:
        """Share of the cells that can be of ``kind`` (« texte » excludes attachments)."""
        return self.shares.get(kind, 0.0)

    def says(self, kind: str | None = None) -> str:
        """French summary: « dates 12/12 (ex. « 01/11/2024 ») », of ``kind`` or of the
        most specific kind most cells have."""
        if kind is None:
            kind = next((k for k in _SPECIFIC if self.fit(k) >= 0.5), "texte")
        share = round(self.fit(kind) * self.cells)
        return f"{KIND_LABELS[kind]} {share}/{self.cells} (ex. « {self.example[:40]} »)"


def profile(cells: Iterable[str]) -> Profile | None:
    """The :class:`Profile` of a column's cells (the first :data:`SAMPLE` non-blank), or None."""
    counts: dict[str, int] = {}
    seen = 0
    example = ""
    for cell in cells:
        if not cell or not cell.strip():
            continue
        example = example or cell.strip()
        seen += 1
        for kind in cell_kinds(cell):
            counts[kind] = counts.get(kind, 0) + 1
        if seen >= SAMPLE:
            break
    if not seen:
        return None
    return Profile(seen, {k: n / seen for k, n in counts.items()}, example)


def field_kind(name: str) -> str:
    """The kind of contents a field expects (« site2_insee » -> « insee »)."""
    if name in CONTENTS:
        return CONTENTS[name]
    return CONTENTS.get(name.split("_", 1)[-1], "texte")


def _with_contents(cand: Candidate, prof: Profile | None) -> Candidate:
    """The candidate once the cells are seen: attachments never used, a field whose
    kind the cells contradict dropped, words' ties settled when one reading fits."""
    if prof is None:
        return cand
    if prof.fit("piece_jointe") >= 0.5:
        return Candidate(None, 1.0, f"{ATTACHMENT_NOTE} ; contenu : {prof.says()}")
    options = [f for f in (cand.field, *cand.alternatives) if f is not None]
    if not options:
        return cand
    fitting = [f for f in options if prof.fit(field_kind(f)) >= FIT]
    said = prof.says()
    sibling = _SIBLINGS.get(options[0])
    if sibling is not None and prof.fit("adresse") >= FIT:
        # « Commune du cabinet » holding « 12 rue des Lilas, Aubusson »: the site's address.
        fitting = [sibling]
    elif cand.field is not None and cand.field in fitting:
        said = prof.says(field_kind(cand.field))
        return dataclasses.replace(cand, note=f"{cand.note} ; contenu : {said}", fit=True)
    specific = [f for f in fitting if field_kind(f) != "texte"]
    if cand.field is None and len(fitting) > 1 and len(specific) == 1:
        # Names or types (« Hôpital » holding « CH », « Clinique »): the specific reading.
        fitting = specific
    if len(fitting) == 1:
        said = prof.says("adresse" if fitting[0] == sibling else field_kind(fitting[0]))
        note = f"{cand.note} ; le contenu tranche ({said}) : {fitting[0]}"
        return Candidate(fitting[0], max(cand.score, 0.85), note, fit=True)
    kind = field_kind(cand.field) if cand.field is not None else ""
    # Mostly right (a few typos), or a commune written oddly (« Paris 13e »): the header
    # stands, the cells do not confirm it.
    loose = kind in ("commune", "type_structure")  # unknown wordings are still names
    if cand.field is not None and prof.fit("texte" if loose else kind) >= _CONTRADICT:
        return dataclasses.replace(cand, note=f"{cand.note} ; contenu : {prof.says(kind)}")
    if not fitting:
        kind = KIND_LABELS[field_kind(options[0])]
        note = f"{options[0]} ? attendu : {kind} ; contenu : {said}"
        return Candidate(None, 0.3, note, contradicted=options[0])
    return cand


#: A commune column often holds whole addresses (number + street: unmistakable). Not the
#: other way: « Le Bourg », « Place de l'Église » look like commune names.
_SIBLINGS = {
    f"{prefix}_ville": f"{prefix}_adresse"
    for prefix in ("hop", *(f"site{k}" for k in range(1, MAX_SITES + 1)))
}


def _is_organisation_export(folded: Iterable[str]) -> bool:
    markers = set(_DS_ORGANISATION["markers"])
    return any(f in markers for f in folded)


def _applicant_column(folded: str) -> bool:
    """« Etablissement code postal » in an organisation's DS export: the applicant's."""
    words = folded.split()
    return (
        bool(words)
        and words[0] in _DS_ORGANISATION["prefixes"]
        and (len(words) - 1 <= _DS_ORGANISATION["max_words"])
    )


APPLICANT_NOTE = (
    "colonne Démarches Simplifiées du demandeur (organisation, souvent l'hôpital ou "
    "l'employeur) : ne décrit pas le site ambulatoire, non utilisée"
)
#: Fields without which a file is refused: a tie on one of them takes the first column.
_MANDATORY = ("date_debut", "dj_hopital", "site1_insee", "site1_ville", "site1_adresse")


def match_columns(
    headers: Sequence[str],
    overrides: Mapping[str, str | None] | None = None,
    rows: Sequence[Sequence[str]] | None = None,
) -> ColumnMap:
    """Match headers to fields by meaning and contents; ``overrides`` (header -> field or None) win.

    Parameters
    ----------
    headers
        The input's header row.
    overrides
        Header -> field name; an empty value, « - » or « ignorer » leaves the column unused.
    rows
        The table's rows (cells in header order): each column's contents confirm its
        header, settle ties, and attachments (file names, links) are never used.

    Raises
    ------
    InvalidInputError
        An override names a header that is not in the file or an unknown field.
    """
    headers = [str(h) for h in headers]
    forced: dict[str, str | None] = {}
    for header, target in (overrides or {}).items():
        if header not in headers:
            folded = {fold(h): h for h in headers}
            if fold(header) not in folded:
                raise InvalidInputError(
                    f"colonne « {header} » absente du fichier (colonnes : {', '.join(headers)})"
                )
            header = folded[fold(header)]
        value = (target or "").strip()
        forced[header] = None if fold(value) in _IGNORE else _check_field(value)
    taken = {f for f in forced.values() if f}
    organisation = _is_organisation_export(fold(h) for h in headers)
    cands: dict[str, Candidate] = {}
    for i, h in enumerate(headers):
        if h in forced:
            continue
        if organisation and _applicant_column(fold(h)):
            cands[h] = Candidate(None, 1.0, APPLICANT_NOTE)
            continue
        cells = (r[i] if i < len(r) else "" for r in rows) if rows is not None else ()
        cands[h] = _with_contents(candidate(h), profile(cells) if rows is not None else None)
    # Best header per field: contents that fit first, then the words' score.
    by_field: dict[str, list[str]] = {}
    for h, c in cands.items():
        if c.field is not None and c.score >= MIN_SCORE and c.field not in taken:
            by_field.setdefault(c.field, []).append(h)
    winners: dict[str, str] = {}
    chosen: dict[str, str] = {}
    ambiguous: dict[str, str] = {}

    def rank(h: str) -> tuple[bool, float]:
        return cands[h].fit, cands[h].score

    for name, hs in by_field.items():
        hs.sort(key=lambda h: (not rank(h)[0], -rank(h)[1]))
        tied = [
            h for h in hs
            if rank(h)[0] == rank(hs[0])[0] and rank(hs[0])[1] - rank(h)[1] < AMBIGUITY_MARGIN
        ]  # fmt: skip
        if len(tied) > 1 and name not in _MANDATORY:
            for h in tied:
                others = ", ".join(f"« {o} »" for o in tied if o != h)
                ambiguous[h] = f"{name} : aussi proposé pour {others} ; le contenu ne tranche pas"
            continue
        winners[hs[0]] = name
        if len(hs) > 1:
            others = "; ".join(f"« {o} » : {cands[o].note}" for o in hs[1:])
            if len(tied) > 1:
                why = "même contenu, la première colonne est prise : à vérifier"
            elif rank(hs[1])[0] == rank(hs[0])[0]:
                why = "en-tête plus proche"
            else:
                why = "contenu conforme"
            chosen[hs[0]] = f"préférée à {others} ({why})"
            if len(tied) > 1:
                ambiguous[hs[0]] = chosen[hs[0]]
    for h, c in cands.items():  # the losers the cells ruled out, named beside the winner
        winner = next((w for w, f in winners.items() if f == c.contradicted), None)
        if winner is not None:
            ruled_out = f"préférée à « {h} » (contenu : {c.note.rsplit('contenu : ', 1)[-1]})"
            chosen[winner] = f"{chosen[winner]} ; {ruled_out}" if winner in chosen else ruled_out
    used = set(winners.values()) | taken
    hospital_by_finess = "hop_finess" in used
    out: list[ColumnMatch] = []
    for h in headers:
        if h in forced:
            target = forced[h]
            out.append(ColumnMatch(h, target, 1.0, "choix de l'utilisateur", "imposée"))
            continue
        c = cands[h]
        if h in winners:
            note = f"{c.note} ; {chosen[h]}" if h in chosen else c.note
            status = "choisie" if h in ambiguous else "reconnue"
            out.append(ColumnMatch(h, winners[h], c.score, note, status))
        elif h in ambiguous:
            out.append(ColumnMatch(h, None, c.score, ambiguous[h], "ambiguë"))
        elif c.bare is not None:
            target = f"site1_{c.bare}"
            if hospital_by_finess and target not in used:
                used.add(target)
                note = (
                    f"{_SITE_ATTRS[c.bare]} sans précision : attribuée au site ambulatoire, "
                    "l'établissement étant identifié par son FINESS"
                )
                out.append(ColumnMatch(h, target, c.score, note, "reconnue"))
            else:
                note = f"{_SITE_ATTRS[c.bare]} de l'établissement ou du site ambulatoire ?"
                out.append(ColumnMatch(h, None, c.score, note, "ambiguë"))
        elif c.field is not None and c.field in used:
            out.append(
                ColumnMatch(h, None, c.score, f"{c.field} déjà fourni par une autre colonne",
                            "non utilisée")
            )  # fmt: skip
        elif c.field is not None:
            out.append(ColumnMatch(h, None, c.score, f"{c.field} ? ({c.note})", "incertaine"))
        elif c.contradicted is not None:
            # The cells say it is not the field: reported, but a doubt only if nothing fed it.
            status = "non utilisée" if c.contradicted in used else "incertaine"
            out.append(ColumnMatch(h, None, c.score, c.note, status))
        elif c.score >= MIN_SCORE or c.score == 0.0:
            out.append(ColumnMatch(h, None, c.score, c.note, "non utilisée"))
        else:
            out.append(ColumnMatch(h, None, c.score, c.note, "incertaine"))
    return ColumnMap(tuple(out))


def score_header(cells: Sequence[str]) -> float:
    """How many cells of a row look like headers of ours (to find the header row/sheet)."""
    score = 0.0
    for c in cells:
        if not c or not str(c).strip():
            continue
        cand = candidate(str(c))
        if cand.field is not None and cand.score >= MIN_SCORE:
            score += 1.0
        elif cand.bare is not None or (cand.score >= 1.0 and cand.field is None):
            score += 0.5
    return score


def _any(fields: Iterable[str], prefix: str) -> bool:
    have = set(fields)
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
    have = cmap.fields
    if hospital_required and not _any(have, "hop"):
        missing.append(
            "localisation de l'établissement : « finess » ou « commune "
            "établissement » (code INSEE) ou « longitude/latitude établissement » ou "
            "« code postal + commune établissement » ou « adresse établissement »"
        )
    if not _any(have, "site1"):
        missing.append(
            "localisation du site ambulatoire : « site finess » ou « site code "
            "insee » ou « site longitude/latitude » ou « site code postal + site "
            "commune » ou « site adresse »"
        )
    if hospital_required and "dj_hopital" not in have and "quotite_hopital" not in have:
        missing.append("« demi-journées hôpital » (ou « quotité hôpital » en %)")
    if "date_debut" not in have:
        missing.append("« date de début » (prise de poste)")
    if missing:
        found = ", ".join(f"« {c} »" for c in (*have.values(), *cmap.unknown))
        doubts = cmap.warnings
        raise InvalidInputError(
            f"{path} : colonnes obligatoires absentes :\n  - "
            + "\n  - ".join(missing)
            + (("\nColonnes incertaines :\n  - " + "\n  - ".join(doubts)) if doubts else "")
            + f"\nColonnes trouvées : {found or 'aucune'}"
            + '\nIndiquez-les avec --colonne "En-tête=champ" ou --colonnes fichier.toml.'
        )


def read_mapping_file(path: str | Path) -> dict[str, str | None]:
    """Header -> field overrides from a TOML file (``"En-tête" = "champ"``).

    The pairs may sit at the top level or under ``[colonnes]``; an empty value leaves
    the column unused.

    Raises
    ------
    InvalidInputError
        Unreadable file, a TOML syntax error or a value that is not text (the message
        names the file and the line), or an unknown field (the message lists them).
    """
    import tomllib

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"{path.name} : fichier de correspondances illisible ({exc})"
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f"ligne {found.group(1)} : " if found else ""
        raise InvalidInputError(
            f"{path.name} : {where}syntaxe TOML invalide ({exc}) ; "
            'attendu : "En-tête de colonne" = "champ"'
        ) from exc
    pairs = data.get("colonnes", data)
    out: dict[str, str | None] = {}
    lines = text.splitlines()
    for header, value in pairs.items():
        line = next((i for i, raw in enumerate(lines, 1) if header in raw), None)
        where = f"ligne {line} : " if line else ""
        if not isinstance(value, str):
            raise InvalidInputError(
                f"{path.name} : {where}« {header} » : un nom de champ entre guillemets "
                f"est attendu (trouvé : {value!r})"
            )
        if value.strip() and fold(value) not in _IGNORE and value.strip() not in FIELDS:
            known = ", ".join(FIELDS)
            raise InvalidInputError(
                f"{path.name} : {where}champ inconnu « {value} ». Champs possibles : {known}"
            )
        out[header] = value.strip() or None
    return out


def parse_override(text: str) -> tuple[str, str | None]:
    """« En-tête=champ » (the last ``=`` splits) -> (header, field or None)."""
    header, sep, value = text.rpartition("=")
    if not sep or not header.strip():
        raise InvalidInputError(
            f"--colonne « {text} » : la forme attendue est « En-tête=champ » "
            "(champ vide pour ne pas utiliser la colonne)"
        )
    value = value.strip()
    if value and fold(value) not in _IGNORE and value not in FIELDS:
        raise InvalidInputError(
            f"--colonne « {text} » : champ inconnu « {value} ». "
            f"Champs possibles : {', '.join(FIELDS)}"
        )
    return header.strip(), value or None
