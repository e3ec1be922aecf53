"""One search string, any kind of place: what a person types in a single field.

« Guéret », « Guéret (23) », « Guéret (23096) », « 23096 » (any vintage), « 23000 Guéret »,
« 39 avenue de la Sénatorerie 23000 Guéret », « 230000820 » (FINESS), « 1.87113, 46.16497 ».
:func:`parse_query` says which kind the string is, with no store and no network;
:func:`search_place` answers it through :mod:`zoning.locate.lookup` (and the geocoder for
addresses and FINESS numbers). A string that could mean two things is never guessed: the
answer says how it was read, or the search fails with the choices.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.identifiers import is_finess, is_insee, is_postcode, normalise_finess
from zoning.locate import lookup
from zoning.locate.placement import Placement
from zoning.sources.names import name_keys, normalize_name
from zoning.store.store import ZoningStore

Kind = Literal["commune", "postcode_name", "name", "point", "finess", "address"]

_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_DOT_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
# « 1.87, 46.16 » / « 1.87 46.16 » / « 1,87 ; 46,16 » (French decimals need « ; » or a blank)
_POINT = (
    re.compile(rf"^({_DOT_NUMBER})\s*[,;\s]\s*({_DOT_NUMBER})$"),
    re.compile(rf"^({_NUMBER})\s*(?:;|\s)\s*({_NUMBER})$"),
)
# Numbers no coordinate has (« 1e308, 1e308 », « 1234.5, 46.1 », « inf, nan »): read as a
# point all the same, so that the answer is the point's refusal (« hors bornes », « non
# finies »), as on the command line, and not « lieu introuvable ».
_ANY_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|inf(?:inity)?|nan)"
_ODD_POINT = re.compile(rf"^({_ANY_NUMBER})\s*[,;\s]\s*({_ANY_NUMBER})$", re.IGNORECASE)
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_POSTCODE_FIRST = re.compile(r"^(\d{5})[\s,]+([^\d]+)$")
_POSTCODE_LAST = re.compile(r"^([^\d]+?)[\s,]+\(?(\d{5})\)?$")
# « Guéret (23) » or « Guéret (23096) »: a name with its département or its INSEE code
_NAME_HINT = re.compile(r"^([^\d()]+?)\s*\(\s*(\d{2,3}|2[AB]|\d{5}|2[AB]\d{3})\s*\)$", re.I)
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Query:
    """A search string read as one kind of place (fields unused by that kind are None)."""

    text: str
    kind: Kind
    code: str | None = None
    postcode: str | None = None
    name: str | None = None
    departement: str | None = None
    lon: float | None = None
    lat: float | None = None


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _point_query(raw: str) -> Query | None:
    """« lon, lat » in any of the accepted writings, or None."""
    for pattern in _POINT:
        match = pattern.match(raw)
        if match:
            return Query(raw, "point", lon=_float(match[1]), lat=_float(match[2]))
    match = _ODD_POINT.match(raw)
    if match and re.search(r"[.eEaAfF]", raw):  # two plain integers may be codes
        return Query(raw, "point", lon=_float(match[1]), lat=_float(match[2]))
    return None


def _code_query(raw: str) -> Query:
    """Five characters: a commune code, or a postal code that names one commune.

    A short number that is neither (« 00123 ») is refused, as the batch refuses it.
    """
    code = raw.upper()
    if not (is_insee(code) or is_postcode(code)):
        raise InvalidInputError(
            f"code « {raw} » mal formé : ni code commune INSEE (ex. 23096), ni code postal "
            "(ex. 23000) ; un numéro FINESS a 9 caractères"
        )
    return Query(raw, "commune", code=code)


def parse_query(text: str) -> Query:
    """Read a search string as a commune code, postal code + name, name, point, FINESS or address.

    Parameters
    ----------
    text : str
        What the person typed.

    Returns
    -------
    Query

    Raises
    ------
    InvalidInputError
        For an empty string, or one that holds no letter and fits no numeric form.
    """
    raw = " ".join(str(text or "").split())
    if not raw:
        raise InvalidInputError(
            "saisissez un lieu : commune, code INSEE, adresse, FINESS ou lon, lat"
        )
    if len(raw) > 300:
        raise InvalidInputError("recherche trop longue (300 caractères au plus)")
    point = _point_query(raw)
    if point is not None:
        return point
    compact = raw.replace(" ", "")
    if _CODE.match(raw):
        return _code_query(raw)
    if is_finess(compact):  # the batch's rule: 9 characters, or 8 digits lost a zero
        return Query(raw, "finess", code=normalise_finess(compact))
    match = _NAME_HINT.match(raw)
    if match:
        name, hint = match[1].strip(), match[2].upper()
        if len(hint) == 5:
            return Query(raw, "commune", code=hint, name=name)
        return Query(raw, "name", name=name, departement=hint.zfill(2))
    match = _POSTCODE_FIRST.match(raw)
    if match:
        return Query(raw, "postcode_name", postcode=match[1], name=match[2].strip(" ,"))
    match = _POSTCODE_LAST.match(raw)
    if match:
        return Query(raw, "postcode_name", postcode=match[2], name=match[1].strip(" ,"))
    if not _HAS_LETTER.search(raw):
        raise InvalidInputError(
            f"recherche illisible « {raw} » : attendu un nom de commune, un code INSEE "
            "(5 caractères), un code postal et un nom, une adresse, un numéro FINESS "
            "(9 caractères) ou « longitude, latitude »"
        )
    if re.search(r"\d", raw):
        return Query(raw, "address", name=raw)
    return Query(raw, "name", name=raw)


# -- commune names ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class CommuneName:
    """A commune of the store's vintage as shown in a suggestion list."""

    code: str
    name: str
    departement: str

    @property
    def label(self) -> str:
        """« Guéret (23096) »: what a suggestion puts in the search field."""
        return f"{self.name} ({self.code})"


def _name_table(store: ZoningStore) -> list[tuple[str, CommuneName]]:
    """(normalised name, commune) for every commune, sorted, computed once per store.

    Communes of the store's vintage, and the later ones (communes nouvelles, renamings
    since the vintage), in the département of the first commune they cover.
    """
    cached = getattr(store, "_search_names", None)
    if cached is None:
        rows = store.keyed.db.execute(
            "SELECT code, name, departement FROM communes UNION "
            "SELECT l.code, l.name, c.departement FROM later_communes l "
            "JOIN communes c ON c.code = substr(l.members, 1, 5)"
        )
        cached = sorted(
            (key, CommuneName(str(code), str(name), str(dep)))
            for code, name, dep in rows
            for key in name_keys(str(name))
        )
        store._search_names = cached  # type: ignore[attr-defined]
    return cached


def suggest_communes(store: ZoningStore, prefix: str, limit: int = 10) -> list[CommuneName]:
    """Communes whose name starts with ``prefix`` (accents, case, « Saint »/« St » ignored).

    Exact names come first, then by name and département, so that homonyms sit together.
    """
    key = normalize_name(prefix or "")
    if len(key) < 2:
        return []
    seen: dict[str, tuple[bool, str, CommuneName]] = {}
    for norm, commune in _names_from(_name_table(store), key):
        if not norm.startswith(key):
            break
        if commune.code not in seen:
            seen[commune.code] = (norm != key, norm, commune)
    ranked = sorted(seen.values(), key=lambda t: (t[0], t[1], t[2].departement))
    return [commune for _, _, commune in ranked[:limit]]


def _names_from(
    table: list[tuple[str, CommuneName]], key: str
) -> Iterator[tuple[str, CommuneName]]:
    """The sorted name table from the first name ``>= key`` on (no copy of the rest)."""
    for at in range(bisect.bisect_left(table, (key,)), len(table)):
        yield table[at]


def communes_named(
    store: ZoningStore, name: str, departement: str | None = None
) -> list[CommuneName]:
    """Communes of the store's vintage called ``name`` (normalised), maybe in one département."""
    table = _name_table(store)
    found: dict[str, CommuneName] = {}
    for key in name_keys(name):
        for norm, commune in _names_from(table, key):
            if norm != key:
                break
            found[commune.code] = commune
    hits = [c for c in found.values() if departement is None or c.departement == departement]
    return sorted(hits, key=lambda c: (c.departement, c.code))


# -- answers ------------------------------------------------------------------------------


def by_name(
    store: ZoningStore, name: str, departement: str | None = None, on: date | None = None
) -> Placement:
    """The placement of the one commune called ``name`` (in ``departement`` if given).

    Raises
    ------
    NotFoundError
        No commune of that name (the closest names are suggested).
    AmbiguousError
        Several communes bear it: each is listed, never one chosen.
    """
    hits = communes_named(store, name, departement)
    where = f" dans le département {departement}" if departement else ""
    if not hits:
        close = suggest_communes(store, name, limit=5)
        hint = f" (communes proches : {', '.join(c.label for c in close)})" if close else ""
        raise NotFoundError(f"aucune commune « {name} »{where}{hint}")
    note = ""
    if len(hits) > 1:
        # Names are matched without accents nor articles (« Charme » finds Charmé, La
        # Charme, Le Charme); one written exactly as given (case aside) is the one meant.
        exact = [c for c in hits if c.name.casefold() == name.strip().casefold()]
        if len(exact) != 1:
            raise AmbiguousError(
                f"« {name} » désigne plusieurs communes{where} : "
                + ", ".join(f"{c.label}, département {c.departement}" for c in hits)
                + " ; précisez le code INSEE ou le département, ex. « "
                + f"{hits[0].name} ({hits[0].departement}) »"
            )
        others = ", ".join(c.label for c in hits if c is not exact[0])
        note = f"« {name} » écrit exactement comme {exact[0].label} (à ne pas confondre : {others})"
        hits = exact
    placement = lookup.by_commune(store, hits[0].code, on, name=name)
    placement.via = "nom de commune"
    if note:
        placement.notes.insert(0, note)
    return placement


def _by_name(store: ZoningStore, query: Query, on: date | None) -> Placement:
    assert query.name is not None
    placement = by_name(store, query.name, query.departement, on)
    placement.query = query.text
    return placement


def _by_code(store: ZoningStore, query: Query, on: date | None) -> Placement:
    assert query.code is not None
    code = query.code
    postal = store.keyed.postal(code) if code.isdigit() else []
    try:
        placement = lookup.by_commune(store, code, on)
    except NotFoundError:
        if not postal:
            raise
        # Not a commune code but a postal code: answer only when it names one commune.
        codes = sorted({str(r["code"]) for r in postal})
        names = store.keyed.names(codes)
        if len(codes) > 1:
            raise AmbiguousError(
                f"« {code} » n'est pas un code INSEE mais un code postal de plusieurs communes : "
                + ", ".join(f"{c} {names.get(c, '?')}" for c in codes)
                + f" ; précisez le nom, ex. « {code} {names.get(codes[0], '')} »"
            ) from None
        placement = lookup.by_commune(store, codes[0], on)
        placement.notes.insert(
            0, f"« {code} » n'est pas un code INSEE : lu comme code postal (une seule commune)"
        )
        placement.query, placement.via = query.text, "code postal"
        return placement
    if query.name and not (name_keys(query.name) & name_keys(placement.commune_name or "")):
        placement.notes.insert(
            0,
            f"le code {code} est celui de {placement.commune_name}, pas de « {query.name} » : "
            "réponse pour le code",
        )
    postal_names = sorted({str(r["name"]) for r in postal if str(r["code"]) != code})
    if postal_names:
        placement.notes.append(
            f"« {code} » est aussi un code postal ({', '.join(postal_names[:5])}) : "
            "réponse pour le code INSEE"
        )
    placement.query = query.text
    return placement


def _geocoded(store: ZoningStore, query: Query, on: date | None) -> Placement:
    from zoning.locate.place import place_query

    if query.kind == "finess":
        return place_query(store, finess=query.code, on=on)
    return place_query(store, address=query.name, on=on)


def search_place(store: ZoningStore, text: str, on: date | None = None) -> Placement:
    """Answer a search string (see :func:`parse_query`) with a placement.

    Raises
    ------
    InvalidInputError, NotFoundError, AmbiguousError, OutsideCoverageError
        With a French message; an ambiguous name lists the communes it may mean.
    """
    query = parse_query(text)
    if query.kind == "point":
        assert query.lon is not None and query.lat is not None
        placement = lookup.by_point(store, query.lon, query.lat, on)
    elif query.kind == "commune":
        placement = _by_code(store, query, on)
    elif query.kind == "postcode_name":
        assert query.postcode is not None and query.name is not None
        placement = lookup.by_postcode_name(store, query.postcode, query.name, on)
    elif query.kind == "name":
        placement = _by_name(store, query, on)
    else:
        placement = _geocoded(store, query, on)
    placement.query = query.text
    return placement


def describe(query: Query) -> dict[str, Any]:
    """How the string was read, for an answer's provenance (« lu comme : … »)."""
    labels = {
        "commune": "code commune INSEE",
        "postcode_name": "code postal et nom",
        "name": "nom de commune",
        "point": "longitude, latitude",
        "finess": "numéro FINESS",
        "address": "adresse (géocodée)",
    }
    return {"kind": query.kind, "label": labels[query.kind]}
