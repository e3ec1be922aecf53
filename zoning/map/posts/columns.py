"""Which column of a posts file holds which field of ours.

A ``zoning batch`` result is read by the batch's own names (:mod:`zoning.report.schema`,
the names its writers use): no guessing. Its input columns (the post's reference, the
names of the hospital and the sites), and every column of a posts file made by hand, are
matched by the one header matcher (:mod:`zoning.io.headers`) with the vocabulary
``zoning/io/vocabularies/posts.toml`` (case, accents and punctuation folded), one
:func:`match_header` call per cell. Minimal schema of a posts file made by hand::

    id, programme, statut, site_principal_nom, site_principal_lon, site_principal_lat,
    site_nom, site_lon, site_lat, distance_km, prime, financement
    (optional: motifs, site_zone, site_commune)

A site field may be numbered (``site1_lon``, ``lon_site2``…): one row per site then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from zoning.io.headers import Vocabulary, load_vocabulary
from zoning.io.text import snake
from zoning.report.schema import result_headers, site_columns

__all__ = [
    "FIELDS",
    "SITE_FIELDS",
    "Naming",
    "accepted",
    "field_label",
    "known_header",
    "match_header",
    "name_columns",
    "spellings",
]

#: The batch's result columns the map reads -> our fields (names of zoning.report.schema).
RESULT_FIELDS: dict[str, str] = {
    "statut": "status",
    "motifs": "reasons",
    "lon_etablissement": "main_lon",
    "lat_etablissement": "main_lat",
    "prime_mensuelle": "premium",
    "financement_mensuel": "funding",
}
#: A place, not a name: the hospital's label only when the input names no hospital.
RESULT_MAIN_NAME = "commune_etablissement"
#: The same for the columns of ambulatory site k, without their number (``lon_site{k}``).
RESULT_SITE_FIELDS: dict[str, str] = {
    "lon_site": "site_lon",
    "lat_site": "site_lat",
    "zone_site": "site_zone",
    "commune_site": "site_commune",
    "distance_km_site": "distance_km",
    # The batch's verdict of the distance rule and, for a site known by its commune only,
    # the longest straight line: the map says what the row says.
    "distance_max_km_site": "distance_max_km",
    "regle_20km_site": "distance_rule",
}
SITE_FIELDS = (
    "site_name",
    "site_lon",
    "site_lat",
    "site_zone",
    "site_commune",
    "distance_km",
    "distance_max_km",
    "distance_rule",
)
_NUMBERED = re.compile(r"^(?P<base>.+?)_?(?P<n>[1-9])(?P<rest>_.+)?$")


def _vocabulary() -> Vocabulary:
    return load_vocabulary("posts")


#: Our fields, in the order of the table :func:`zoning.map.posts.read.read_posts` returns.
FIELDS: tuple[str, ...] = tuple(_vocabulary().aliases)


def spellings(name: str) -> list[str]:
    """The spellings the vocabulary ``posts`` accepts for field ``name``."""
    return list(_vocabulary().written[name])


def accepted(name: str) -> list[str]:
    """Every name a field is read from: the batch's (site 1 for a site field), then the
    vocabulary's, for the message that names a missing column."""
    batch = [c for c, f in RESULT_FIELDS.items() if f == name]
    batch += [f"{c}1" for c, f in RESULT_SITE_FIELDS.items() if f == name]
    return batch + spellings(name)


def field_label(name: str) -> str:
    """The field in French, for messages."""
    labels: dict[str, str] = _vocabulary().data.get("labels", {})
    return labels.get(name, name)


def match_header(cell: str) -> str | None:
    """The field a hand-made header names (``None``: none). The one door to the vocabulary."""
    return _vocabulary().field_of(cell)


def _numbered(cell: str) -> tuple[str, int] | None:
    """``site1_lon`` -> (``site_lon``, 1): a numbered site field of the vocabulary."""
    match = _NUMBERED.match(snake(cell))
    if match is None:
        return None
    name = match_header(f"{match['base']}{match['rest'] or ''}")
    return (name, int(match["n"])) if name in SITE_FIELDS else None


@dataclass
class Naming:
    """Columns by field: ``single`` once per row, ``sites`` per numbered site."""

    single: dict[str, str] = field(default_factory=dict)
    sites: dict[int, dict[str, str]] = field(default_factory=dict)

    def fields(self) -> set[str]:
        """Every field some column holds."""
        return set(self.single) | {f for cols in self.sites.values() for f in cols}


def _result_names(columns: set[str]) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The batch's result columns present, by the schema's names."""
    single = {c: RESULT_FIELDS[c] for c in result_headers(0) if c in RESULT_FIELDS and c in columns}
    sites: dict[int, dict[str, str]] = {}
    k = 1
    while site_columns(k)[0] in columns:
        for col in site_columns(k):
            name = RESULT_SITE_FIELDS.get(col.removesuffix(str(k)))
            if name is not None and col in columns:
                sites.setdefault(k, {})[name] = col
        k += 1
    return single, sites


def name_columns(columns: Iterable[object]) -> Naming:
    """Name the columns of a posts file: the batch's result columns by the schema, the
    others by the vocabulary (the first column of a field wins).

    Numbered site columns win over an unnumbered one of the same field (a batch result
    keeps the input's « Site longitude » beside its own ``lon_site1``, ``lon_site2``…).
    """
    cells = [str(c) for c in columns]
    single, sites = _result_names(set(cells))
    loose_single: dict[str, str] = {}
    for cell in cells:
        if cell in single or any(cell in cols.values() for cols in sites.values()):
            continue
        numbered = _numbered(cell)
        if numbered is not None:
            base, k = numbered
            sites.setdefault(k, {}).setdefault(base, cell)
        elif (name := match_header(cell)) is not None:
            loose_single.setdefault(name, cell)
    # The batch's result columns win over the input's; the input names the hospital.
    named = {name: col for col, name in single.items()}
    if RESULT_MAIN_NAME in cells:
        loose_single.setdefault("main_name", RESULT_MAIN_NAME)
    numbered_fields = {f for cols in sites.values() for f in cols}
    for name, col in loose_single.items():
        if name not in named and name not in numbered_fields:
            named[name] = col
    return Naming(named, dict(sorted(sites.items())))


@cache
def _result_headers() -> frozenset[str]:
    return frozenset(result_headers(9))


def known_header(cell: str) -> bool:
    """A header of a posts file: the batch's, or one of the vocabulary, plain or numbered."""
    return (
        cell in _result_headers() or match_header(cell) is not None or _numbered(cell) is not None
    )
