"""The catalogue of reasons: every reason the tool gives has a short stable code.

A reason is what the tool says beside a verdict that is not « éligible »: invalid
data, « à vérifier », « non éligible », or a place it cannot answer for. Its code
(``ORDRE-DATE-ABSENTE``, ``SITE-QPV-PERIMETRE``…) is the same in the CLI, the CSV and
Excel outputs, the JSON, the API and the pages; the words around it may carry the
row's values (a date, a commune), the code does not.

The catalogue itself is data, ``zoning/help/motifs.toml``: one table per code with
its French title, what it means, why the tool cannot decide, and what the user can do.
The « Aide » page and the results' « Motifs » sheet are generated from it; a test
fails when a reason emitted anywhere has no entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "CODE_PATTERN",
    "DOMAINS",
    "PASSED",
    "SEPARATOR",
    "Entry",
    "Reason",
    "catalogue",
    "entry",
    "is_code",
    "joined",
    "needs_code",
    "title",
]

#: A code: upper-case words joined by hyphens, the first naming the domain (``SITE``,
#: ``ZON``, ``ORDRE``, ``DONNEES``…).
CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")

#: The domains, first word of every code: what the reason is about.
DOMAINS: tuple[str, ...] = (
    "DONNEES",  # a value of the row cannot be read, or the row cannot be a post
    "CAND",  # the candidate: RPPS, specialty
    "ORDRE",  # registration with the Ordre des médecins
    "TYPE",  # type of the establishment or of an ambulatory structure
    "TEMPS",  # time split between the hospital and the other sites
    "DUREE",  # duration of the post
    "DEBUT",  # start date
    "DEPOT",  # application date
    "SITE",  # where a site is: located or not, how precisely, QPV
    "ZON",  # the zoning decree and the commune's class
    "CARENCE",  # ARS finding of a shortage (salaried GP posts)
    "DIST",  # the 20 km rule of the territorial premium
    "PRIME",  # the territorial premium
    "FIN",  # the ARS funding
)

#: The code of a criterion that is met: no reason to give, never in the catalogue.
PASSED = "OK"

#: How the outputs join the reasons of one row (and their codes, in the same order).
SEPARATOR = " | "


@dataclass(frozen=True)
class Entry:
    """One code of the catalogue, in French.

    Attributes
    ----------
    code : str
        ``SITE-QPV-PERIMETRE``.
    titre : str
        A few words, shown beside the code (« Périmètre du QPV non disponible »).
    verdict : str
        The verdict the reason goes with: « données invalides », « à vérifier »,
        « non éligible », or « information » (said, but the verdict does not hang on it).
    sens : str
        What the reason means.
    pourquoi : str
        Why the tool cannot decide by itself (empty for « non éligible » and
        « information »).
    que_faire : tuple of str
        What the user can do: the document to ask for, the option or command, the
        source to consult.
    """

    code: str
    titre: str
    verdict: str
    sens: str
    pourquoi: str
    que_faire: tuple[str, ...]


@dataclass(frozen=True)
class Reason:
    """A reason as emitted: its code and the words said to the user (with the row's
    values in them)."""

    code: str
    text: str

    def __post_init__(self) -> None:
        if not is_code(self.code):
            raise ValueError(f"code de motif mal formé : {self.code!r}")

    def __str__(self) -> str:
        return self.text


def joined(reasons: Sequence[Reason]) -> tuple[str | None, str | None]:
    """The texts and the codes of ``reasons`` as two cells, in the same order (None: none)."""
    if not reasons:
        return None, None
    return (
        SEPARATOR.join(r.text for r in reasons),
        SEPARATOR.join(r.code for r in reasons),
    )


def needs_code(required: bool, code: str | None, text: str) -> None:
    """Refuse a reason said without its code where a verdict asks for one (ValueError)."""
    if required and (code is None or not is_code(code)):
        raise ValueError(f"motif sans code : « {text} »")


def is_code(text: str) -> bool:
    """Whether ``text`` is shaped like a reason code."""
    return CODE_PATTERN.fullmatch(text) is not None


@cache
def catalogue() -> Mapping[str, Entry]:
    """Every code of ``zoning/help/motifs.toml``, in the file's order."""
    # A plain path: the wheel is unpacked, and importlib.resources would cost every cold
    # ``zoning check`` 7 ms of imports.
    path = Path(__file__).resolve().parent / "help" / "motifs.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: dict[str, Entry] = {}
    for code, table in raw.items():
        if not is_code(code):
            raise ValueError(f"motifs.toml: code mal formé « {code} »")
        entries[code] = Entry(
            code=code,
            titre=str(table["titre"]),
            verdict=str(table["verdict"]),
            sens=str(table["sens"]),
            pourquoi=str(table.get("pourquoi", "")),
            que_faire=tuple(str(step) for step in table.get("que_faire", ())),
        )
    return MappingProxyType(entries)


def title(code: str) -> str | None:
    """The catalogue's title of ``code`` (None when it has none: a test catches that)."""
    found = catalogue().get(code)
    return found.titre if found else None


def entry(code: str) -> Entry:
    """The catalogue's entry for ``code`` (KeyError when it has none: a test catches it)."""
    return catalogue()[code]
