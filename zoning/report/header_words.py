"""What one header names, by its words: the batch's vocabulary read (``batch.toml``).

A header may be a short canonical name (« Site code INSEE ») or a whole question of a
Démarches Simplifiées (DS) form (« Numéro FINESS de l'établissement employeur »,
« Nombre de demi-journées hebdomadaires à l'hôpital »). Each field has a vocabulary:
an *attribute* (finess, code insee, commune, demi-journées, durée…) and, for places,
a *role* (the employing hospital, or ambulatory site 1, 2, 3). Words are compared
after folding and fuzzily (:func:`zoning.io.headers.has_phrase`) so that plurals and
small typos agree. :func:`candidate` gives the best field with a score and a French
note; :mod:`zoning.report.columns` then weighs the cells and the whole header row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from zoning.io.headers import has_phrase, load_vocabulary
from zoning.io.text import fold, squash
from zoning.report.fields import CONTENTS, FIELDS, MAX_SITES, SITE_ATTRS

_VOCABULARY = load_vocabulary("batch")
_DATA = _VOCABULARY.data
# The fixed columns of a DS export (not form fields): what they feed, or None.
DS_FIXED: dict[str, str | None] = {k: v or None for k, v in _DATA["ds_fixed"].items()}
# Attribute of a place -> phrases (folded). A phrase matches a run of header words.
_ATTR_WORDS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["attributes"].items()}
_ROLES: dict[str, Any] = _DATA["roles"]
# Priority when a header names several attributes (« nom de la commune » is a commune).
_ATTR_ORDER: tuple[str, ...] = tuple(_ROLES["attribute_order"])
_HOSPITAL_WORDS: tuple[str, ...] = tuple(_ROLES["hospital"])
_SITE_WORDS: tuple[str, ...] = tuple(_ROLES["site"])
_ORDINALS: dict[str, int] = dict(_ROLES["ordinals"])
_CITY_SIDE_BEFORE: frozenset[str] = frozenset(_ROLES["city_side_before"])
_HOSPITAL_SITES: tuple[str, ...] = tuple(_ROLES["hospital_sites"])
# Fields that need no role: field -> alternatives, each a tuple of phrases all present.
_BASE_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    k: tuple(tuple(alt) for alt in v) for k, v in _DATA["fields"].items()
}
_ATTACHMENT_WORDS: tuple[str, ...] = tuple(_DATA["attachments"]["words"])
_ATTACHMENT_UNLESS: tuple[str, ...] = tuple(_DATA["attachments"]["unless"])

#: « ½ journées », « 1/2 journées » are « demi-journées ».
_HALF = re.compile(r"½|\b1\s*[/\u2044]\s*2\b")
ATTACHMENT_NOTE = "pièce jointe (noms de fichiers ou liens) : jamais une donnée"


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
    hospital = any(has_phrase(w, tokens) for w in _HOSPITAL_WORDS)
    site = any(has_phrase(w, tokens) for w in _SITE_WORDS)
    number = next((_ORDINALS[t] for t in tokens if t in _ORDINALS), None)
    if any(has_phrase(w, tokens) for w in _HOSPITAL_SITES):
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
    canonical = _VOCABULARY.field_of(header) or _canonical_site(squashed)
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
    if any(has_phrase(w, tokens) for w in _ATTACHMENT_WORDS) and not any(
        has_phrase(w, tokens) for w in _ATTACHMENT_UNLESS
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
    data = _DATA["site_canonical"]
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
        if all(has_phrase(p, tokens) for p in alt)
    ]
    # « Structure (ville) », « Nom structure ville », « exercice en ville »: in ARS usage
    # « ville » is then the city side (ambulatory), a role, not the commune.
    city_side = paren == "ville"
    named = tokens[:-1] if city_side else _without_city_side(tokens)
    attrs = [a for a in _ATTR_ORDER if any(has_phrase(w, named) for w in _ATTR_WORDS[a])]
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
        return Candidate(None, 0.5, f"{SITE_ATTRS[attr]} : hôpital ou site ambulatoire ?")
    if role == "hop":
        if attr == "type":
            return Candidate("type_etablissement", 0.95, "type + établissement")
        if attr == "dj":
            return Candidate("dj_hopital", 0.95, "demi-journées + hôpital")
        return Candidate(f"hop_{attr}", 0.95, f"{SITE_ATTRS[attr]} + établissement")
    if role == "site":
        k = number or 1
        if k > MAX_SITES:
            return Candidate(None, 0.4, f"site {k} : au plus {MAX_SITES} sites")
        return Candidate(f"site{k}_{attr}", 0.95, f"{SITE_ATTRS[attr]} + site ambulatoire {k}")
    # No role word.
    if attr == "finess":
        return Candidate("hop_finess", 0.8, "FINESS sans autre précision : l'établissement")
    if attr == "nom":
        return Candidate(None, 0.4, "nom de quoi ? (candidat, établissement, structure)")
    if attr == "type":
        return Candidate(None, 0.5, "type de quoi ? (établissement ou structure)")
    return Candidate(None, 0.7, f"{SITE_ATTRS[attr]} sans rôle", bare=attr)


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
