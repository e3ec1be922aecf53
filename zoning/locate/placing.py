"""A :class:`~zoning.locate.placement.Placement` built from the store's rows: a commune
of the store's vintage under the decree in force, or a commune created after that vintage
answered as its decree names it."""

from __future__ import annotations

from datetime import date
from typing import Any

from zoning.errors import NotFoundError
from zoning.locate.classes import UNDER_SERVED, zone_of_commune
from zoning.locate.movements import decree_commune, later_head, vintage_year
from zoning.locate.placement import Placement
from zoning.store.store import IN_FORCE, NOT_LOADED, DecreeChoice, ZoningStore


def place_code(
    store: ZoningStore,
    query: str,
    via: str,
    code: str,
    on: date | None,
    notes: list[str],
    point: tuple[float, float] | None = None,
    qpv_hits: list[str] | None = None,
) -> Placement:
    """The placement of a commune code of the store's vintage on ``on``, found ``via`` a
    way in (``query`` as asked); when the decree in force writes a later COG where the
    commune is part of another, that one's (:func:`later_placement`)."""
    commune = store.keyed.commune(code)
    if commune is None:
        raise NotFoundError(f"code commune inconnu « {code} »")
    zoned = zone_of_commune(store, commune, on)
    later = decree_commune(store, code, zoned[0].decree)
    if later is not None:
        # The decree writes a later COG, where this commune is part of another one.
        placement = later_placement(store, query, via, later, on, point, qpv_hits)
        placement.notes[:0] = [*notes, f"{commune['name']} ({code}) au COG {vintage_year(store)}"]
        return placement
    return commune_placement(
        store, query, via, commune, zoned, store.keyed.qpv_of(code), notes, point, qpv_hits
    )


def commune_placement(
    store: ZoningStore,
    query: str,
    via: str,
    commune: dict[str, Any],
    zoned: tuple[DecreeChoice, str, str],
    qpv_in_commune: list[str],
    notes: list[str],
    point: tuple[float, float] | None = None,
    qpv_hits: list[str] | None = None,
) -> Placement:
    """The placement of a commune row, its decree, class and note, and its listed QPV."""
    code = str(commune["code"])
    choice, zone, note = zoned
    decree = choice.decree
    placement = Placement(
        query=query,
        via=via,
        commune_code=code,
        commune_name=str(commune["name"]),
        departement=str(commune["departement"]),
        region=str(commune["region"]),
        decree=decree,
        zone=zone or None,
        qpv=qpv_hits or [],
        qpv_in_commune=qpv_in_commune,
        lon=point[0] if point else None,
        lat=point[1] if point else None,
        notes=list(notes),
        decree_status=choice.status,
        decree_caveat=choice.caveat,
    )
    if note:
        placement.notes.append(note)
    if choice.caveat and choice.status == IN_FORCE:
        placement.notes.append(choice.caveat)
    if decree.id.startswith("zonmed-"):
        placement.notes.extend(decree.caveats[:1])
    listed = placement.qpv_in_commune
    if choice.status == NOT_LOADED and not placement.qpv:
        placement.under_served = None
    elif placement.qpv or zone in UNDER_SERVED:
        placement.under_served = True
    elif listed and (point is None or not store.keyed.has_qpv_polygon(listed)):
        placement.notes.append(
            f"la commune compte {len(listed)} QPV ({', '.join(listed)}) : un site dans l'un "
            "d'eux est en zone sous-dense ; périmètres non disponibles, vérifiez l'adresse"
        )
        placement.under_served = None
    elif zone in ("", "ND"):
        placement.under_served = None
    else:
        placement.under_served = False
    return placement


def later_placement(
    store: ZoningStore,
    query: str,
    via: str,
    later: dict[str, Any],
    on: date | None,
    point: tuple[float, float] | None = None,
    qpv_hits: list[str] | None = None,
) -> Placement:
    """A commune of a later COG, answered as the decree in force names its commune(s).

    A decree of the later vintage (or after) names the later commune itself. An older
    decree names the communes it covers: their class when they share it, else « à
    vérifier » with each one's class (the site's address or point settles it).
    """
    keyed = store.keyed
    head = later_head(later)
    notes: list[str] = []

    members = str(later["members"]).split()

    def answer(
        row: dict[str, Any], zoned: tuple[DecreeChoice, str, str], qpv: list[str]
    ) -> Placement:
        placement = commune_placement(store, query, via, row, zoned, qpv, notes, point, qpv_hits)
        if row is commune:
            placement.members = list(members)
        return placement

    rows = keyed.communes_of(members)
    if not rows:
        raise NotFoundError(f"{head} : {later['check'] or 'aucune commune correspondante'}")
    first = rows[members[0]]
    choice = store.decree_on(str(first["region"]), on)
    decree = choice.decree
    commune = {**first, "code": later["code"], "name": later["name"]}
    listed = sorted({q for m in members for q in keyed.qpv_of(m)})
    if decree.cog_vintage >= int(str(later["since"])[:4]):
        # The decree writes the later COG: its own commune is the later one.
        zoned = zone_of_commune(store, commune, on)
        if zoned[0].status != NOT_LOADED and keyed.zone(decree.id, str(later["code"])) is None:
            zones = {zone_of_commune(store, rows[m], on)[1] for m in members if m in rows}
            zoned = (choice, zones.pop() if len(zones) == 1 else "", "")
        notes.append(f"{head} : commune de l'{decree.short}")
        if later["check"]:
            notes.append(str(later["check"]))
            zoned = (choice, "", "")
        placement = answer(commune, zoned, listed)
        placement.zone_check = "commune rétablie, limites inconnues" if later["check"] else ""
        return placement
    parts = [(m, rows[m], zone_of_commune(store, rows[m], on)) for m in members if m in rows]
    described = " ; ".join(f"{r['name']} ({m}) : {z[1] or 'sans classe'}" for m, r, z in parts)
    notes.append(f"{head} → sous l'{decree.short} : {described}")
    if later["check"]:
        notes.append(str(later["check"]))
        placement = answer(commune, (choice, "", ""), listed)
        placement.zone_check = "commune rétablie, limites inconnues"
        return placement
    if len(parts) == 1:
        _, row, zoned = parts[0]
        return answer(row, zoned, keyed.qpv_of(row["code"]))
    zones = {z[1] for _, _, z in parts}
    if len(zones) == 1:
        return answer(commune, parts[0][2], listed)
    notes.append(
        "classes différentes selon l'ancienne commune : à vérifier, l'adresse ou les "
        "coordonnées du site disent dans laquelle il se trouve"
    )
    placement = answer(commune, (choice, "", ""), listed)
    placement.zone_check = "anciennes communes de classes différentes"
    return placement
