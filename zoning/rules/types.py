"""Vocabulary of establishment and structure types, matched leniently.

Programme files list allowed types by code (``public``, ``msp``...); users write
« Centre hospitalier », « MSP », « maison de santé pluriprofessionnelle ». This is
vocabulary, not campaign figures, so it lives in code.
"""

from __future__ import annotations

import functools

from zoning.io.text import fold

# code -> (French label, synonyms after normalisation)
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "public": (
        "établissement de santé public",
        (
            "public",
            "etablissement public",
            "etablissement de sante public",
            "eps",
            "ch",
            "chu",
            "chr",
            "chi",
            "centre hospitalier",
            "centre hospitalier universitaire",
            "centre hospitalier regional",
            "hopital",
            "hopital public",
            "gh",
            "groupe hospitalier",
        ),
    ),
    "espic": (
        "établissement privé à but non lucratif (ESPIC)",
        (
            "espic",
            "prive non lucratif",
            "prive a but non lucratif",
            "etablissement de sante prive a but non lucratif",
            "hopital prive a but non lucratif",
            "psph",
        ),
    ),
    # « Privé » alone, or FINESS's public/private flag: ESPIC or for-profit, not said.
    "prive": (
        "établissement privé (ESPIC ou à but lucratif, non précisé)",
        # « Hôpital privé d'Antony » is not a public hospital: the longest wording wins.
        ("prive", "etablissement prive", "private", "hopital prive", "centre hospitalier prive"),
    ),
    "prive_lucratif": (
        "établissement privé à but lucratif",
        (
            "prive lucratif",
            "prive a but lucratif",
            "hopital prive a but lucratif",
            "etablissement de sante prive",
            "etablissement de sante prive a but lucratif",
            "clinique",
            "clinique privee",
        ),
    ),
    "ehpad": ("EHPAD", ("ehpad",)),
    "usmp": (
        "unité sanitaire en milieu pénitentiaire",
        (
            "usmp",
            "unite sanitaire",
            "unite sanitaire en milieu penitentiaire",
            "prison",
        ),
    ),
    "prevention": (
        "dispositif public de prévention (CLAT, CeGIDD, centre de vaccination)",
        (
            "prevention",
            "clat",
            "cegidd",
            "centre de vaccination",
        ),
    ),
    "universite": (
        "université (département de médecine générale)",
        (
            "universite",
            "dmg",
            "departement de medecine generale",
            "faculte",
        ),
    ),
    "centre_sante": (
        "centre de santé",
        (
            "centre de sante",
            "centre municipal de sante",
            "centre communal de sante",
            "cds",
            "centre sante",
            "centre de sante polyvalent",
            "centre de sante medical",
        ),
    ),
    "msp": (
        "maison de santé pluriprofessionnelle",
        (
            "msp",
            "m s p",
            "mspu",
            "maison de sante",
            "maison de sante pluriprofessionnelle",
            "maison de sante pluri professionnelle",
            "maison de sante pluridisciplinaire",
            "maison de sante pluri disciplinaire",
        ),
    ),
    "cabinet": (
        "cabinet libéral",
        (
            "cabinet",
            "cabinet liberal",
            "cabinet medical",
            "cabinet de groupe",
            "cabinet individuel",
            "liberal",
            "cabinet de ville",
        ),
    ),
    "cpts": (
        "communauté professionnelle territoriale de santé (CPTS)",
        (
            "cpts",
            "communaute professionnelle territoriale de sante",
        ),
    ),
    "collectivite": (
        "collectivité locale",
        (
            "collectivite",
            "collectivite locale",
            "commune",
            "mairie",
            "departement",
            "communaute de communes",
        ),
    ),
    "association": ("association", ("association",)),
    "mutuelle": ("mutuelle", ("mutuelle", "mutualiste")),
}

_LOOKUP = {syn: code for code, (_, syns) in TYPES.items() for syn in (*syns, code)}


@functools.lru_cache(maxsize=4096)
def type_code(raw: str | None) -> str | None:
    """The type code of a user's wording, or None when unknown (memoised: a batch repeats
    a few wordings thousands of times, and the prefix search scans every synonym)."""
    if raw is None:
        return None
    text = fold(raw)
    if not text:
        return None
    if text in _LOOKUP:
        return _LOOKUP[text]
    # "Centre hospitalier de Guéret", "MSP du Val de Creuse": longest synonym that starts it.
    best = max((s for s in _LOOKUP if text.startswith(s + " ")), key=len, default=None)
    return _LOOKUP[best] if best else None


def type_label(code: str) -> str:
    """French label of a type code."""
    return TYPES[code][0] if code in TYPES else code
