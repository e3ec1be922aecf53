"""The one header matcher: which column of a table feeds which field, by its header.

Every reader of people's tables (the batch's candidates files, the geocoder's address
lists, decree annexes, the posts map's batch results) asks this module, with its own
vocabulary. Headers are compared *folded* (:func:`zoning.io.text.fold`: lower case, no
accents, punctuation as spaces), so that « N° FINESS », « n_finess » and « N FINESS »
agree everywhere.

Vocabulary files
----------------
A vocabulary is a TOML file in ``zoning/io/vocabularies/``, named after its reader
(``batch.toml``, ``geocode.toml``, ``annex.toml``, ``tvs.toml``, ``posts.toml``) and
loaded with :func:`load_vocabulary`::

    [aliases]                 # field -> the header spellings that name it
    finess = ["FINESS", "N° FINESS", "numero finess"]   # any case, accents, punctuation
    city = ["commune", "ville"]

    [match]                   # optional: how a header row is read (defaults shown)
    key = "fold"              # "squash": blanks ignored too (« codepostal » = « code postal »)
    order = "column"          # "spelling": a field takes the column of its first spelling
                              # present; "column": its leftmost column
    own_name = false          # true: a field's own name is one of its spellings
    loose = false             # true: a spelling found inside a longer header counts too,
    loose_min = 4             #   if it has this many characters at least
    exact_only = []           #   and is not one of these (« code » is in « code postal »)

Spellings are folded on loading: write them as people do. A spelling that two fields
share goes to the first field in the file. Any other table of the file is the reader's
own (the batch's roles and phrases, the annex's class names): :attr:`Vocabulary.data`.

The posts map reads a batch result's columns with::

    vocabulary = load_vocabulary("posts")
    roles = vocabulary.match(headers)      # field -> index of its column
    vocabulary.field_of(header)            # the field one header names, or None
    vocabulary.written["main_lon"]         # its spellings as written, for a message

Beyond exact spellings, :func:`has_phrase` finds a phrase in a header's words fuzzily
(plurals, small typos, abbreviations), :func:`pick_columns` settles a whole header row
when several columns offer the same field (ties reported, never guessed), and
:func:`find_header`, :func:`parse_override` and :func:`read_overrides` read the user's
« En-tête=champ » choices, which always win.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from rapidfuzz import fuzz

from zoning.errors import InvalidInputError
from zoning.io.text import fold, squash

VOCABULARIES = Path(__file__).with_name("vocabularies")
#: What a user writes to leave a column unused (folded).
IGNORE = frozenset({"", "-", "ignorer", "aucun", "non utilisee", "none"})


# --- vocabularies --------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """A reader's header spellings (folded) and how it reads a header row."""

    name: str
    #: Field -> folded spellings, in the file's order.
    aliases: dict[str, tuple[str, ...]]
    #: Field -> spellings as the file writes them (for messages: « une de : … »).
    written: dict[str, tuple[str, ...]]
    key: Literal["fold", "squash"] = "fold"
    order: Literal["column", "spelling"] = "column"
    loose: bool = False
    loose_min: int = 4
    exact_only: frozenset[str] = frozenset()
    #: The file's other tables, as written.
    data: Mapping[str, Any] = field(default_factory=dict)
    #: Folded spelling -> field (the first field that lists it).
    index: dict[str, str] = field(default_factory=dict)

    def folded(self, header: object) -> str:
        """A header as this vocabulary compares it."""
        return squash(header) if self.key == "squash" else fold(header)

    def field_of(self, header: object) -> str | None:
        """The field a header names exactly, or ``None``."""
        return self.index.get(self.folded(header))

    def score(self, cells: Sequence[object]) -> float:
        """How many cells of a row are headers of this vocabulary (to find the header row)."""
        return float(sum(1 for c in cells if self.folded(c) in self.index))

    def match(self, headers: Sequence[object]) -> dict[str, int]:
        """Field -> index of the column that feeds it; a column feeds one field at most.

        Exact spellings first (every field, in the file's order), then, when the
        vocabulary is ``loose``, a spelling inside a longer header for the fields left.
        """
        keys = [self.folded(h) for h in headers]
        roles: dict[str, int] = {}
        for role, spellings in self.aliases.items():
            free = [i for i, k in enumerate(keys) if i not in roles.values()]
            if self.order == "spelling":
                last = {k: i for i, k in enumerate(keys)}  # two equal headers: the last one
                found = next((last[s] for s in spellings if last.get(s, -1) in free), None)
            else:
                found = next((i for i in free if keys[i] in spellings), None)
            if found is not None:
                roles[role] = found
        if not self.loose:
            return roles
        for role, spellings in self.aliases.items():
            if role in roles:
                continue
            inside = [s for s in spellings if len(s) >= self.loose_min and s not in self.exact_only]
            found = next(
                (
                    i
                    for i, k in enumerate(keys)
                    if k and i not in roles.values() and any(s in k for s in inside)
                ),
                None,
            )
            if found is not None:
                roles[role] = found
        return roles


@cache
def load_vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``zoning/io/vocabularies/<name>.toml`` (read once)."""
    data = tomllib.loads((VOCABULARIES / f"{name}.toml").read_text("utf-8"))
    match = data.pop("match", {})
    key = match.get("key", "fold")
    fold_key = squash if key == "squash" else fold
    written = {role: tuple(spellings) for role, spellings in data.pop("aliases", {}).items()}
    aliases = {
        role: tuple(dict.fromkeys(fold_key(s) for s in spellings))
        for role, spellings in written.items()
    }
    index: dict[str, str] = {}
    for role, spellings in aliases.items():
        own = (fold_key(role),) if match.get("own_name", False) else ()
        for spelling in (*own, *spellings):
            index.setdefault(spelling, role)
    if match.get("own_name", False):
        aliases = {role: tuple(dict.fromkeys((fold_key(role), *s))) for role, s in aliases.items()}
    return Vocabulary(
        name=name,
        aliases=aliases,
        written=written,
        key=key,
        order=match.get("order", "column"),
        loose=bool(match.get("loose", False)),
        loose_min=int(match.get("loose_min", 4)),
        exact_only=frozenset(fold_key(s) for s in match.get("exact_only", ())),
        data=data,
        index=index,
    )


# --- phrases in a header's words -----------------------------------------------------------


def token_match(word: str, token: str) -> bool:
    """Whether a vocabulary word and a header word agree (folded both)."""
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


def find_phrase(phrase: str, tokens: Sequence[str]) -> tuple[int, int] | None:
    """Where the phrase's words run in the header's tokens (start, end), fuzzily."""
    words = phrase.split()
    for i in range(len(tokens) - len(words) + 1):
        if all(token_match(w, tokens[i + j]) for j, w in enumerate(words)):
            return i, i + len(words)
    return None


def has_phrase(phrase: str, tokens: Sequence[str]) -> bool:
    """Whether the phrase's words run somewhere in the header's tokens."""
    return find_phrase(phrase, tokens) is not None


# --- a whole header row ------------------------------------------------------------------


class Offer(Protocol):
    """What one column offers: a field, how sure the header is, whether the cells fit."""

    @property
    def field(self) -> str | None: ...

    @property
    def score(self) -> float: ...

    @property
    def fit(self) -> bool: ...

    @property
    def note(self) -> str: ...

    @property
    def contradicted(self) -> str | None: ...


@dataclass
class Picked:
    """A header row settled: the columns used, and French notes on the choices made."""

    #: Header -> the field it feeds.
    winners: dict[str, str] = field(default_factory=dict)
    #: Header -> why it was preferred to the other columns offering its field.
    chosen: dict[str, str] = field(default_factory=dict)
    #: Header -> why it is left unused (a tie), or taken on a tie (then also in winners).
    ambiguous: dict[str, str] = field(default_factory=dict)


def pick_columns(
    offers: Mapping[str, Offer],
    *,
    min_score: float,
    margin: float,
    taken: Collection[str] = (),
    first_on_tie: Collection[str] = (),
) -> Picked:
    """The best column per field: cells that fit first, then the header's score.

    Parameters
    ----------
    offers
        Header -> what its column offers (input order).
    min_score
        Below this score an offer is not used.
    margin
        Two offers closer than this are a tie: both left unused and reported, unless
        the field is in ``first_on_tie`` (then the first column is taken, « à vérifier »).
    taken
        Fields already fed (by the user's choices).
    """
    by_field: dict[str, list[str]] = {}
    for h, c in offers.items():
        if c.field is not None and c.score >= min_score and c.field not in taken:
            by_field.setdefault(c.field, []).append(h)
    out = Picked()

    def rank(h: str) -> tuple[bool, float]:
        return offers[h].fit, offers[h].score

    for name, hs in by_field.items():
        hs.sort(key=lambda h: (not rank(h)[0], -rank(h)[1]))
        tied = [
            h for h in hs
            if rank(h)[0] == rank(hs[0])[0] and rank(hs[0])[1] - rank(h)[1] < margin
        ]  # fmt: skip
        if len(tied) > 1 and name not in first_on_tie:
            for h in tied:
                others = ", ".join(f"« {o} »" for o in tied if o != h)
                out.ambiguous[h] = (
                    f"{name} : aussi proposé pour {others} ; le contenu ne tranche pas"
                )
            continue
        out.winners[hs[0]] = name
        if len(hs) > 1:
            others = "; ".join(f"« {o} » : {offers[o].note}" for o in hs[1:])
            if len(tied) > 1:
                why = "même contenu, la première colonne est prise : à vérifier"
            elif rank(hs[1])[0] == rank(hs[0])[0]:
                why = "en-tête plus proche"
            else:
                why = "contenu conforme"
            out.chosen[hs[0]] = f"préférée à {others} ({why})"
            if len(tied) > 1:
                out.ambiguous[hs[0]] = out.chosen[hs[0]]
    for h, c in offers.items():  # the losers the cells ruled out, named beside the winner
        winner = next((w for w, f in out.winners.items() if f == c.contradicted), None)
        if winner is not None:
            ruled_out = f"préférée à « {h} » (contenu : {c.note.rsplit('contenu : ', 1)[-1]})"
            out.chosen[winner] = (
                f"{out.chosen[winner]} ; {ruled_out}" if winner in out.chosen else ruled_out
            )
    return out


# --- the user's choices ------------------------------------------------------------------


def find_header(header: str, headers: Sequence[str]) -> str:
    """The file's header a user means (as written, else folded).

    Raises
    ------
    InvalidInputError
        No header of the file is that one.
    """
    if header in headers:
        return header
    folded = {fold(h): h for h in headers}
    if fold(header) not in folded:
        raise InvalidInputError(
            f"colonne « {header} » absente du fichier (colonnes : {', '.join(headers)})"
        )
    return folded[fold(header)]


def is_ignored(value: str) -> bool:
    """Whether a user's choice leaves the column unused (« », « - », « ignorer »…)."""
    return fold(value) in IGNORE


def parse_override(text: str, fields: Collection[str]) -> tuple[str, str | None]:
    """« En-tête=champ » (the last ``=`` splits) -> (header, field or None).

    Raises
    ------
    InvalidInputError
        Not of that form, or an unknown field (the message lists ``fields``).
    """
    header, sep, value = text.rpartition("=")
    if not sep or not header.strip():
        raise InvalidInputError(
            f"--colonne « {text} » : la forme attendue est « En-tête=champ » "
            "(champ vide pour ne pas utiliser la colonne)"
        )
    value = value.strip()
    if value and not is_ignored(value) and value not in fields:
        raise InvalidInputError(
            f"--colonne « {text} » : champ inconnu « {value} ». "
            f"Champs possibles : {', '.join(fields)}"
        )
    return header.strip(), value or None


def read_overrides(path: str | Path, fields: Collection[str]) -> dict[str, str | None]:
    """Header -> field choices from a TOML file (``"En-tête" = "champ"``).

    The pairs may sit at the top level or under ``[colonnes]``; an empty value leaves
    the column unused.

    Raises
    ------
    InvalidInputError
        Unreadable file, a TOML syntax error or a value that is not text (the message
        names the file and the line), or an unknown field (the message lists ``fields``).
    """
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
        if value.strip() and not is_ignored(value) and value.strip() not in fields:
            known = ", ".join(fields)
            raise InvalidInputError(
                f"{path.name} : {where}champ inconnu « {value} ». Champs possibles : {known}"
            )
        out[header] = value.strip() or None
    return out
