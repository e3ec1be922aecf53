"""What zone is this place in, under which decree, as of which date: the ways in.

Three ways in, one answer (:class:`~zoning.locate.placement.Placement`): a commune code
of any vintage, a postal code with a commune name, or a longitude/latitude (point in
commune polygon, and in QPV polygons where the store has them). Also here: a code of any
vintage to the store's communes (:func:`resolve_code`), a postal code and name to them
(:func:`find_communes`), points to commune and QPV codes in bulk (:func:`assign_points`),
and the class of a commune under every decree of its region (:func:`history`).

How a placement is built is in :mod:`zoning.locate.placing`; the codes' movements in
:mod:`zoning.locate.movements`; the classes in :mod:`zoning.locate.classes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from zoning.errors import (
    AmbiguousError,
    InvalidInputError,
    NotFoundError,
    OutsideCoverageError,
    ZoningError,
)
from zoning.identifiers import normalise_insee
from zoning.locate.classes import ABSENT
from zoning.locate.movements import (
    PART_OF,
    carry,
    covered_later,
    later_head,
    later_notes,
    named_later,
    vintage_iso,
)
from zoning.locate.placement import Placement
from zoning.locate.placing import commune_placement, later_placement, place_code
from zoning.sources.names import name_keys
from zoning.sources.vintage import vintage_date
from zoning.store.store import NOT_LOADED, DecreeChoice, ZoningStore

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from zoning.pointindex import PointIndex

_POSTCODE = re.compile(r"^\d{5}$")


def _check_code(code: str) -> str:
    """A commune code as written (spaces, lower case, a leading zero lost), checked."""
    try:
        return normalise_insee(code)  # the one rule, as the batch and the search apply it
    except InvalidInputError:
        raise InvalidInputError(
            f"code commune INSEE invalide « {str(code).strip()} » : 5 caractères attendus "
            "(ex. 23096, 2A004)"
        ) from None


def resolve_code(
    store: ZoningStore, code: str, vintage: int | None = None
) -> tuple[list[str], list[str]]:
    """Commune code(s) of the store's vintage for a code of any vintage, with French notes.

    ``vintage``: the COG vintage the code is written in (a decree annex's). A code that a
    later commune took by then (a commune nouvelle keeping one of its communes' code)
    then stands for every commune of the store's vintage it covers.
    """
    code = _check_code(code)
    keyed = store.keyed
    notes: list[str] = []
    if vintage is not None and vintage > int(store.meta["cog_vintage"]):
        later = store.keyed.latest_taking(code, vintage_date(vintage).isoformat())
        if later is not None and later["members"] and not later["check"]:
            notes.append(later_head(later))
            return later["members"].split(), notes
    if keyed.commune(code) is not None:
        notes.extend(later_notes(keyed.events_from([code], vintage_iso(store), "9999")))
        return [code], notes
    parent = keyed.parent(code)
    if parent is not None:
        notes.append(
            f"{code} ({parent['old_name']}) est {PART_OF.get(parent['mod'], parent['mod'])} "
            f"de la commune {parent['new_code']}"
        )
        return [parent["new_code"]], notes
    forward = {c for c in carry(store, code, forward=True) if keyed.commune(c) is not None}
    if forward and forward != {code}:
        old_name = keyed.events_from([code], "", "9999")[0]["old_name"]
        notes.append(
            f"ancien code {code} ({old_name}) : commune fusionnée, code "
            f"{', '.join(sorted(forward))} au COG {store.meta['cog_vintage']}"
        )
        return sorted(forward), notes
    backward = {c for c in carry(store, code, forward=False) if keyed.commune(c) is not None}
    if backward:
        notes.append(
            f"code {code} postérieur au COG {store.meta['cog_vintage']} : regroupe "
            f"{', '.join(sorted(backward))}"
        )
        return sorted(backward), notes
    raise NotFoundError(f"code commune inconnu « {code} »")


def history(store: ZoningStore, code: str) -> list[dict[str, Any]]:
    """The class of a commune (store vintage) under every decree record of its region.

    A record without classes is listed with ``zone = None`` and says so.
    """
    commune = store.keyed.commune(code)
    if commune is None:
        raise NotFoundError(f"code commune inconnu « {code} »")
    rows = []
    for decree in store.region_decrees(str(commune["region"])):
        row = store.keyed.zone(decree.id, code) if decree.classes_loaded else None
        if not decree.classes_loaded:
            note = f"chargez son annexe avec `{decree.import_command()}`"
        elif row is None:
            note = ABSENT
        else:
            note = str(row["note"])
        rows.append(
            {
                "decree": decree.id,
                "title": decree.provenance(),
                "classes_loaded": decree.classes_loaded,
                "zone": (str(row["zone"]) or None) if row is not None else None,
                "note": note,
            }
        )
    return rows


def by_commune(
    store: ZoningStore, code: str, on: date | None = None, name: str | None = None
) -> Placement:
    """Zone of a commune given by its INSEE code (any vintage; old codes are mapped).

    A code that a later commune took (commune nouvelle, renaming) is answered as the
    decree names it (:func:`later_placement`); ``name`` says which one is meant when the
    code is both a commune of the store's vintage and a later one.
    """
    code = _check_code(code)
    later = named_later(store, code, name)
    if later is not None:
        return later_placement(store, code, "commune", later, on)
    codes, notes = resolve_code(store, code)
    if len(codes) > 1:
        placements = [place_code(store, code, "commune", c, on, notes) for c in codes]
        if len({(p.zone, p.under_served) for p in placements}) == 1:
            first = placements[0]
            first.notes.append(f"même classe pour {', '.join(codes)}")
            return first
        detail = ", ".join(f"{p.commune_code} {p.commune_name} : {p.zone}" for p in placements)
        raise AmbiguousError(
            f"le code {code} couvre des communes de classes différentes ({detail})"
        )
    return place_code(store, code, "commune", codes[0], on, notes)


def by_communes(
    store: ZoningStore, codes: Iterable[str], on: date | None = None, via: str = "commune"
) -> dict[str, Placement | ZoningError]:
    """:func:`by_commune` for many codes at once, each answer or error keyed by code.

    Codes of the store's vintage are answered with a handful of bulk queries (the
    batch's case: codes found by the point index); any other code (old, delegated,
    unknown) goes through :func:`by_commune` one by one. The placements are the same.
    ``via`` says how the commune was found (``"point"``: by the point index) on the
    placements of the bulk queries.
    """
    keyed = store.keyed
    wanted = sorted(set(codes))
    rows = keyed.communes_of(wanted)
    if via != "point":
        # A code that a later commune took (La Boixe, 16393, once Vars) is read as today's
        # commune, as :func:`by_commune` does; a point settles it to the vintage's commune.
        for code in keyed.later_codes(rows):
            del rows[code]
    later = keyed.events_from_many(list(rows), vintage_iso(store), "9999")
    listed = keyed.qpv_of_many(list(rows))
    choices: dict[str, DecreeChoice | ZoningError] = {}
    for region in sorted({str(r["region"]) for r in rows.values()}):
        try:
            choices[region] = store.decree_on(region, on)
        except ZoningError as exc:
            choices[region] = exc
    classes: dict[str, dict[str, tuple[str, str]]] = {}
    for choice in choices.values():
        if isinstance(choice, DecreeChoice) and choice.status != NOT_LOADED:
            decree_id = choice.decree.id
            in_region = [c for c, r in rows.items() if choices[str(r["region"])] is choice]
            classes.setdefault(decree_id, {}).update(keyed.classes_of(decree_id, in_region))
    out: dict[str, Placement | ZoningError] = {}
    # Under a decree of a later COG, communes now part of another are named as it does.
    renamed = covered_later(store, rows, choices)
    for code in wanted:
        commune = rows.get(code)
        if commune is None or code in renamed:
            try:
                if commune is None:
                    out[code] = by_commune(store, code, on)
                else:
                    out[code] = place_code(store, code, via, code, on, [])
            except ZoningError as exc:
                out[code] = exc
            continue
        found = choices[str(commune["region"])]
        if isinstance(found, ZoningError):
            out[code] = found
            continue
        row = classes.get(found.decree.id, {}).get(code) if found.status != NOT_LOADED else None
        if found.status == NOT_LOADED:
            zoned = (found, "", "")
        elif row is None:
            zoned = (found, "", ABSENT)
        else:
            zoned = (found, str(row[0]), str(row[1]))
        notes = later_notes(later.get(code, []))
        out[code] = commune_placement(store, code, via, commune, zoned, listed.get(code, []), notes)
    return out


def _find(store: ZoningStore, postcode: str, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Codes of the store's vintage named ``name`` under ``postcode`` (La Poste and COG
    names), and the later communes of that name there (completed La Poste rows)."""
    postcode = str(postcode).strip().zfill(5)
    if not _POSTCODE.match(postcode):
        raise InvalidInputError(f"code postal invalide « {postcode} » : 5 chiffres attendus")
    keyed = store.keyed
    all_rows = keyed.postal(postcode)
    if not all_rows:
        raise NotFoundError(f"code postal inconnu « {postcode} »")
    keys = name_keys(name)
    later_codes = sorted(
        {str(r["code"]) for r in all_rows if r.get("since") and keys & name_keys(r["name"])}
    )
    later = [row for row in (store.keyed.latest_taking(c) for c in later_codes) if row is not None]
    rows = [r for r in all_rows if not r.get("since")]
    parents = keyed.parents_of({row["code"] for row in rows})
    codes = {}
    for row in rows:
        parent = parents.get(row["code"])  # Paris, Lyon, Marseille: by arrondissement
        codes[row["code"]] = (
            parent["new_code"] if parent and parent["mod"] == "ARM" else row["code"]
        )
    communes = keyed.communes_of(set(codes.values()))
    names_of: dict[str, set[str]] = {}
    for row in rows:
        code = codes[row["code"]]
        commune = communes.get(code)
        names = names_of.setdefault(code, name_keys(commune["name"]) if commune else set())
        names |= name_keys(row["name"]) | (name_keys(row["line5"]) if row["line5"] else set())
    hits = {code for code, names in names_of.items() if keys & names}
    if not hits and not later:
        # « Bors » for « Bors (Canton de Tude-et-Lavalette) »: a unique name that starts so.
        prefixes = tuple(k + " " for k in keys)
        hits = {c for c, names in names_of.items() if any(n.startswith(prefixes) for n in names)}
        if len(hits) > 1:
            hits = set()
    if not hits and not later:
        choices = sorted(keyed.names(names_of).values())
        raise NotFoundError(
            f"aucune commune « {name} » au code postal {postcode} "
            f"(communes de ce code postal : {', '.join(choices)})"
        )
    return sorted(hits), later


def find_communes(store: ZoningStore, postcode: str, name: str) -> list[str]:
    """Codes of the communes named ``name`` under ``postcode`` (La Poste and COG names).

    A name of the store's vintage wins; a later name only (commune nouvelle, renaming
    after the vintage) gives the communes of the vintage it covers.
    """
    hits, later = _find(store, postcode, name)
    if hits or len(later) != 1:
        return hits
    return str(later[0]["members"]).split()


def by_postcode_name(
    store: ZoningStore, postcode: str, name: str, on: date | None = None
) -> Placement:
    """Zone of a commune given by postal code and name (of any vintage since the store's).

    A later name (La Boixe, 2025) is answered as the decree names it; when a name is both
    a commune of the store's vintage and a later commune that took its code (Lacq, which
    absorbed Urdès in 2024), today's commune is meant: the answer says so, and is « à
    vérifier » when the communes it covers had different classes.
    """
    hits, later = _find(store, postcode, name)
    query = f"{postcode} {name}"
    if len(later) == 1 and (not hits or hits == [str(later[0]["code"])]):
        return later_placement(store, query, "postcode+name", later[0], on)
    codes = hits or sorted(str(r["code"]) for r in later)
    if len(codes) > 1:
        names = {**{str(r["code"]): str(r["name"]) for r in later}, **store.keyed.names(codes)}
        raise AmbiguousError(
            f"« {name} » au {postcode} désigne plusieurs communes : "
            + ", ".join(f"{c} {names.get(c, '?')}" for c in codes)
        )
    return place_code(store, query, "postcode+name", codes[0], on, [])


def check_lonlat(lon: float, lat: float) -> tuple[float, float]:
    """Validate a WGS84 longitude/latitude pair (a swapped pair is named as such)."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"coordonnées illisibles « {lon}, {lat} »") from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInputError(f"coordonnées non finies « {lon}, {lat} »")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInputError(
            f"coordonnées hors bornes (lon {lon}, lat {lat}) : degrés WGS84 attendus "
            "(longitude entre -180 et 180, latitude entre -90 et 90)"
        )
    return lon, lat


def point_index(store: ZoningStore, table: str) -> tuple[np.ndarray, PointIndex]:
    """Codes and the saved point index of a polygon table (kept by the store)."""
    return store.point_index(table)


def _assign_codes(store: ZoningStore, lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """``commune`` and ``qpv`` code arrays (``None`` outside), without pandas."""
    import numpy as np

    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    result = {}
    for table, column in (("communes", "commune"), ("qpv_polygons", "qpv")):
        codes, index = point_index(store, table)
        idx = index.assign(lon, lat)
        values = np.full(len(lon), None, dtype=object)
        values[idx >= 0] = codes[idx[idx >= 0]]
        result[column] = values
    return result


def assign_points(store: ZoningStore, lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """Commune and QPV code for every point (``None`` outside), in input order.

    Uses the store's saved point indexes (:mod:`zoning.pointindex`), which give exactly
    what :func:`zoning.pointindex.assign_exact` gives: the polygon covering the point,
    the lowest code on a shared border, none in the sea.
    """
    import pandas as pd

    return pd.DataFrame(_assign_codes(store, lon, lat), dtype=object)


def by_point(store: ZoningStore, lon: float, lat: float, on: date | None = None) -> Placement:
    """Zone of a point (WGS84): its commune's class, and the QPV polygon it falls in."""
    import numpy as np

    lon, lat = check_lonlat(lon, lat)
    found = _assign_codes(store, np.array([lon]), np.array([lat]))
    commune, qpv_code = found["commune"][0], found["qpv"][0]
    if commune is None:
        raise OutsideCoverageError(
            f"le point (lon {lon}, lat {lat}) n'est dans aucune commune couverte "
            "(en mer, hors de France, ou longitude et latitude inversées ?)"
        )
    qpv = [qpv_code] if qpv_code is not None else []
    return place_code(store, f"{lon},{lat}", "point", commune, on, [], (lon, lat), qpv)
