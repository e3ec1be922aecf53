"""Which input column feeds which field of a batch: headers recognised by meaning.

Each header is read by its words (:mod:`zoning.report.header_words`, the batch's
vocabulary in ``zoning/io/vocabularies/batch.toml``), its column's cells by their
contents (:mod:`zoning.report.cell_contents`), and the whole header row is settled by
the one header matcher (:func:`zoning.io.headers.pick_columns`).

Nothing is guessed silently: every column gets a French note; a low-confidence or
ambiguous match is left unused and reported, and the user settles it with
``--colonne "En-tête=champ"`` or a mapping file. Bare « Code postal », « Commune »,
« Adresse » columns go to the ambulatory site when the hospital is identified by its
FINESS number, and the note says so. A DS commune field comes as « X » and
« X (Code insee) »: the code is used, the name kept beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io import headers as matcher
from zoning.io.headers import load_vocabulary
from zoning.io.text import fold
from zoning.report.cell_contents import CONTRADICT, FIT, KIND_LABELS, Profile, profile
from zoning.report.fields import FIELDS, MAX_SITES, SITE_ATTRS, field_kind
from zoning.report.header_words import ATTACHMENT_NOTE, Candidate, candidate

#: Below this score a match is reported, not used.
MIN_SCORE = 0.6
#: Two candidates for one field closer than this are ambiguous.
AMBIGUITY_MARGIN = 0.05
_DS_ORGANISATION: dict[str, Any] = load_vocabulary("batch").data["ds_organisation"]


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
    if cand.field is not None and prof.fit("texte" if loose else kind) >= CONTRADICT:
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
        value = (target or "").strip()
        forced[matcher.find_header(header, headers)] = (
            None if matcher.is_ignored(value) else _check_field(value)
        )
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
    picked = matcher.pick_columns(
        cands, min_score=MIN_SCORE, margin=AMBIGUITY_MARGIN, taken=taken, first_on_tie=_MANDATORY
    )
    winners, chosen, ambiguous = picked.winners, picked.chosen, picked.ambiguous
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
                    f"{SITE_ATTRS[c.bare]} sans précision : attribuée au site ambulatoire, "
                    "l'établissement étant identifié par son FINESS"
                )
                out.append(ColumnMatch(h, target, c.score, note, "reconnue"))
            else:
                note = f"{SITE_ATTRS[c.bare]} de l'établissement ou du site ambulatoire ?"
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
    """Header -> field overrides from a TOML file (:func:`zoning.io.headers.read_overrides`).

    Raises
    ------
    InvalidInputError
        Unreadable or invalid file, or an unknown field (the message lists them).
    """
    return matcher.read_overrides(path, FIELDS)


def parse_override(text: str) -> tuple[str, str | None]:
    """« En-tête=champ » (the last ``=`` splits) -> (header, field or None)."""
    return matcher.parse_override(text, FIELDS)
