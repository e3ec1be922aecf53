"""What zone is this place in, under which decree, as of which date.

Three ways in, one answer (:class:`Placement`): a commune code of any vintage, a postal
code with a commune name, or a longitude/latitude (point in commune polygon, and in QPV
polygons where the store has them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from zoning.errors import (
    AmbiguousError,
    InvalidInputError,
    NotFoundError,
    OutsideCoverageError,
    ZoningError,
)
from zoning.sources.names import name_keys
from zoning.sources.vintage import vintage_date
from zoning.store.decrees import Decree
from zoning.store.store import EXPIRED, IN_FORCE, NOT_LOADED, DecreeChoice, ZoningStore

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

UNDER_SERVED = frozenset({"ZIP", "ZAC"})
ZONE_LABELS = {
    "ZIP": "zone d'intervention prioritaire",
    "ZAC": "zone d'action complémentaire",
    "ZV": "zone de vigilance",
    "HZ": "hors zonage",
    "ZAR": "zone d'accompagnement régional",
    "ND": "classement non disponible",
}
#: Why a commune judged by a loaded decree has no class there.
ABSENT = "commune absente du tableau de l'arrêté"
_COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_POSTCODE = re.compile(r"^\d{5}$")


@dataclass
class Placement:
    """Where a place is and what that means for under-served eligibility."""

    query: str
    via: str
    commune_code: str | None = None
    commune_name: str | None = None
    departement: str | None = None
    region: str | None = None
    decree: Decree | None = None
    zone: str | None = None
    qpv: list[str] = field(default_factory=list)
    qpv_in_commune: list[str] = field(default_factory=list)
    under_served: bool | None = None
    lon: float | None = None
    lat: float | None = None
    notes: list[str] = field(default_factory=list)
    decree_status: str = IN_FORCE
    decree_caveat: str = ""
    #: Why the class is « à vérifier » although the commune is known (a commune nouvelle
    #: over communes of different classes, a restored commune), for the sentence.
    zone_check: str = ""
    #: The store's communes a later commune covers (a commune nouvelle answered under its
    #: own name): its area is theirs together, not that of the one whose code it kept.
    members: list[str] = field(default_factory=list)

    @property
    def to_verify(self) -> bool:
        """Whether the answer rests on no class or on an expired decree's classes."""
        return self.decree_status != IN_FORCE or self.under_served is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, with the decree reduced to its id and description."""
        # Shallow on purpose: ``asdict`` deep-copies the decree record only to drop it, and
        # was half the time of an API answer.
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("qpv", "qpv_in_commune", "notes", "members"):
            out[key] = list(out[key])
        out["decree"] = (
            {"id": self.decree.id, "title": self.decree.provenance()} if self.decree else None
        )
        out["zone_label"] = ZONE_LABELS.get(self.zone or "")
        out["to_verify"] = self.to_verify
        verdict = verdict_of(self)
        out["verdict"], out["motif"] = verdict.answer, verdict.reason
        return out

    def sentence(self) -> str:
        """A short French sentence for people."""
        where = f"{self.commune_name} ({self.commune_code})"
        if self.decree_status == NOT_LOADED:
            verdict = "classement inconnu, à vérifier"
            if self.qpv:
                verdict = f"dans le QPV {', '.join(self.qpv)}, zone sous-dense ; zonage : {verdict}"
            return f"{where} : {verdict} — {self.decree_caveat}."
        if self.qpv:
            verdict = f"dans le QPV {', '.join(self.qpv)}, zone sous-dense"
            if self.zone:
                verdict = f"{self.zone}, {verdict}"
        elif self.zone_check:
            verdict = f"classe à vérifier ({self.zone_check})"
        elif self.under_served is None:
            # No class, ND, or QPV without perimeters: never « pas zone sous-dense »,
            # always « à vérifier » and why.
            zone = self.zone or ""
            what = f"{zone} ({ZONE_LABELS.get(zone, zone)})" if zone else ""
            doubts = [_class_doubt(self)] if self.zone in (None, "", "ND") else []
            doubts += ["la commune compte des QPV"] if self.qpv_in_commune else []
            verdict = f"{what or 'sans classe dans le zonage'} — à vérifier : {' ; '.join(doubts)}"
        elif self.under_served:
            verdict = f"{self.zone}, zone sous-dense"
        else:
            zone = self.zone or ""
            verdict = f"{zone} ({ZONE_LABELS.get(zone, zone)}), pas zone sous-dense"
        decree = f" — {self.decree.provenance()}" if self.decree else ""
        if self.decree_status == EXPIRED:
            decree += f" ; {self.decree_caveat}"
        return f"{where} : {verdict}{decree}."


@dataclass(frozen=True)
class Verdict:
    """Under-served or not, in words: ``oui``, ``non`` or ``à vérifier``, and why."""

    answer: Literal["oui", "non", "à vérifier"]
    reason: str


def verdict_of(placement: Placement) -> Verdict:
    """The answer of a placement for a person, with the reason taken from the placement."""
    zone = placement.zone or ""
    label = ZONE_LABELS.get(zone, zone)
    decree = placement.decree.short if placement.decree else "l'arrêté"
    if placement.qpv:
        return Verdict(
            "oui", f"le lieu est dans le quartier prioritaire {', '.join(placement.qpv)}"
        )
    if placement.decree_status != IN_FORCE:
        # A decree whose annex is not loaded, or an expired one before its successor:
        # the person decides, told why (never the old classes in silence).
        known = f" ; classe sous {decree} : {zone} ({label})" if zone else ""
        return Verdict("à vérifier", placement.decree_caveat + known)
    if placement.under_served:
        return Verdict("oui", f"commune classée {zone} ({label}) par {decree}")
    if placement.under_served is None:
        qpv_notes = [n for n in placement.notes if "QPV" in n]
        reasons = [_class_doubt(placement)] if zone in ("", "ND") else []
        return Verdict("à vérifier", " ; ".join(reasons + qpv_notes[-1:]))
    return Verdict(
        "non", f"commune classée {zone} ({label}) par {decree}, hors quartier prioritaire"
    )


def _class_doubt(placement: Placement) -> str:
    """Why the class of a placement's commune is no answer: absent from the decree's
    table, no class there, or ND (« classement non disponible »)."""
    decree = placement.decree.short if placement.decree else "l'arrêté"
    absent = [n for n in placement.notes if n.startswith("commune absente")]
    if absent:  # of the table (no row), or of the annex (a row without class, and why)
        return f"{absent[0]} ({decree})"
    zone = placement.zone or ""
    known = f" ({zone} : {ZONE_LABELS.get(zone, zone)})" if zone else ""
    return f"commune sans classe connue dans {decree}{known}"


def _check_code(code: str) -> str:
    code = str(code).strip().upper()
    if len(code) == 4 and code.isdigit():
        code = "0" + code  # a spreadsheet ate the leading zero
    if not _COMMUNE_CODE.match(code):
        raise InvalidInputError(
            f"code commune INSEE invalide « {code} » : 5 caractères attendus (ex. 23096, 2A004)"
        )
    return code


def _vintage_iso(store: ZoningStore) -> str:
    return vintage_date(int(store.meta["cog_vintage"])).isoformat()


def _carry(store: ZoningStore, code: str, *, forward: bool) -> set[str]:
    """Follow one code through the movements, date by date.

    Forward: from any older vintage up to the store's vintage (mergers). Backward: from a
    code created after the store's vintage to the vintage communes it groups.
    """
    vintage = _vintage_iso(store)
    frm, to = ("old_code", "new_code") if forward else ("new_code", "old_code")
    current, bound = {code}, "" if forward else "9999"
    while True:
        if forward:
            events = store.keyed.events_from(current, bound, vintage)
        else:
            events = store.keyed.events_to(current, vintage, bound)
        if not events:
            return current
        day = events[0]["date"] if forward else events[-1]["date"]
        step = [e for e in events if e["date"] == day]
        current = set().union(*({e[to] for e in step if e[frm] == c} or {c} for c in current))
        bound = day


_PART_OF = {
    "COMD": "une commune déléguée",
    "COMA": "une commune associée",
    "ARM": "un arrondissement municipal",
}


def _later_notes(later: list[dict[str, Any]]) -> list[str]:
    """Notes for the movements a commune of the vintage went through afterwards."""
    if not later:
        return []
    notes, seen = [], set()
    for event in later:
        if event["old_name"] != event["new_name"] and event["new_code"] not in seen:
            seen.add(event["new_code"])
            notes.append(
                f"depuis le {event['date']}, {event['old_name']} fait partie de "
                f"{event['new_name']} ({event['new_code']})"
            )
    return notes


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
        later = _later_row(store, code, vintage_date(vintage).isoformat())
        if later is not None and later["members"] and not later["check"]:
            notes.append(_later_head(later))
            return later["members"].split(), notes
    if keyed.commune(code) is not None:
        notes.extend(_later_notes(keyed.events_from([code], _vintage_iso(store), "9999")))
        return [code], notes
    parent = keyed.parent(code)
    if parent is not None:
        notes.append(
            f"{code} ({parent['old_name']}) est {_PART_OF.get(parent['mod'], parent['mod'])} "
            f"de la commune {parent['new_code']}"
        )
        return [parent["new_code"]], notes
    forward = {c for c in _carry(store, code, forward=True) if keyed.commune(c) is not None}
    if forward and forward != {code}:
        old_name = keyed.events_from([code], "", "9999")[0]["old_name"]
        notes.append(
            f"ancien code {code} ({old_name}) : commune fusionnée, code "
            f"{', '.join(sorted(forward))} au COG {store.meta['cog_vintage']}"
        )
        return sorted(forward), notes
    backward = {c for c in _carry(store, code, forward=False) if keyed.commune(c) is not None}
    if backward:
        notes.append(
            f"code {code} postérieur au COG {store.meta['cog_vintage']} : regroupe "
            f"{', '.join(sorted(backward))}"
        )
        return sorted(backward), notes
    raise NotFoundError(f"code commune inconnu « {code} »")


def zone_of(store: ZoningStore, code: str, on: date | None = None) -> tuple[Decree, str, str]:
    """Decree, class (``""`` when none) and note for a commune code of the store's vintage."""
    commune = store.keyed.commune(code)
    if commune is None:
        raise NotFoundError(f"code commune inconnu « {code} »")
    choice, zone, note = _zone_of_commune(store, commune, on)
    return choice.decree, zone, note


def _zone_of_commune(
    store: ZoningStore, commune: dict[str, Any], on: date | None
) -> tuple[DecreeChoice, str, str]:
    choice = store.decree_on(str(commune["region"]), on)
    if choice.status == NOT_LOADED:
        return choice, "", ""
    row = store.keyed.zone(choice.decree.id, commune["code"])
    if row is None:
        return choice, "", ABSENT
    return choice, str(row["zone"]), str(row["note"])


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


def _place(
    store: ZoningStore,
    query: str,
    via: str,
    code: str,
    on: date | None,
    notes: list[str],
    point: tuple[float, float] | None = None,
    qpv_hits: list[str] | None = None,
) -> Placement:
    commune = store.keyed.commune(code)
    if commune is None:
        raise NotFoundError(f"code commune inconnu « {code} »")
    zoned = _zone_of_commune(store, commune, on)
    later = _decree_commune(store, code, zoned[0].decree)
    if later is not None:
        # The decree writes a later COG, where this commune is part of another one.
        placement = _later_placement(store, query, via, later, on, point, qpv_hits)
        placement.notes[:0] = [*notes, f"{commune['name']} ({code}) au COG {_vintage_year(store)}"]
        return placement
    return _placement(
        store, query, via, commune, zoned, store.keyed.qpv_of(code), notes, point, qpv_hits
    )


def _vintage_year(store: ZoningStore) -> int:
    return int(store.meta["cog_vintage"])


def _covered_later(
    store: ZoningStore,
    rows: dict[str, dict[str, Any]],
    choices: dict[str, DecreeChoice | ZoningError],
) -> set[str]:
    """Codes of ``rows`` that a later commune covers in the COG of their region's decree."""
    out: set[str] = set()
    for region, choice in choices.items():
        if isinstance(choice, ZoningError) or choice.decree.cog_vintage <= _vintage_year(store):
            continue
        covered = store.keyed.later_members(vintage_date(choice.decree.cog_vintage).isoformat())
        out |= {c for c, r in rows.items() if str(r["region"]) == region and c in covered}
    return out


def _decree_commune(store: ZoningStore, code: str, decree: Decree) -> dict[str, Any] | None:
    """The later commune covering ``code`` in the decree's COG vintage, if it differs."""
    if decree.cog_vintage <= _vintage_year(store):
        return None
    until = vintage_date(decree.cog_vintage).isoformat()
    return store.keyed.later_covering(code, until)


def _placement(
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


def _later_row(store: ZoningStore, code: str, until: str = "9999") -> dict[str, Any] | None:
    """The latest commune that took ``code`` after the store's vintage (up to ``until``)."""
    rows = [r for r in store.keyed.later(code) if str(r["since"]) <= until]
    return rows[-1] if rows else None


def _later_head(later: dict[str, Any]) -> str:
    """« La Boixe (16393, commune nouvelle le 01/01/2025) »."""
    since = date.fromisoformat(str(later["since"]))
    return f"{later['name']} ({later['code']}, {later['kind']} le {since:%d/%m/%Y})"


def _named_later(store: ZoningStore, code: str, name: str | None) -> dict[str, Any] | None:
    """The later commune a code (and name, if given) designates, or ``None`` for the
    store's own commune.

    A code alone is read as today's COG writes it (what a form filled in today gives);
    a name settles it when it is the store's commune's and not the later one's (« Vars »
    for 16393, which La Boixe took in 2025).
    """
    later = _later_row(store, code)
    if later is None or not name:
        return later
    keys = name_keys(name)
    if keys & name_keys(str(later["name"])):
        return later
    commune = store.keyed.commune(code)
    if commune is not None and keys & name_keys(str(commune["name"])):
        return None
    return later


def _later_placement(
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
    head = _later_head(later)
    notes: list[str] = []

    members = str(later["members"]).split()

    def answer(
        row: dict[str, Any], zoned: tuple[DecreeChoice, str, str], qpv: list[str]
    ) -> Placement:
        placement = _placement(store, query, via, row, zoned, qpv, notes, point, qpv_hits)
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
        zoned = _zone_of_commune(store, commune, on)
        if zoned[0].status != NOT_LOADED and keyed.zone(decree.id, str(later["code"])) is None:
            zones = {_zone_of_commune(store, rows[m], on)[1] for m in members if m in rows}
            zoned = (choice, zones.pop() if len(zones) == 1 else "", "")
        notes.append(f"{head} : commune de l'{decree.short}")
        if later["check"]:
            notes.append(str(later["check"]))
            zoned = (choice, "", "")
        placement = answer(commune, zoned, listed)
        placement.zone_check = "commune rétablie, limites inconnues" if later["check"] else ""
        return placement
    parts = [(m, rows[m], _zone_of_commune(store, rows[m], on)) for m in members if m in rows]
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


def by_commune(
    store: ZoningStore, code: str, on: date | None = None, name: str | None = None
) -> Placement:
    """Zone of a commune given by its INSEE code (any vintage; old codes are mapped).

    A code that a later commune took (commune nouvelle, renaming) is answered as the
    decree names it (:func:`_later_placement`); ``name`` says which one is meant when the
    code is both a commune of the store's vintage and a later one.
    """
    code = _check_code(code)
    later = _named_later(store, code, name)
    if later is not None:
        return _later_placement(store, code, "commune", later, on)
    codes, notes = resolve_code(store, code)
    if len(codes) > 1:
        placements = [_place(store, code, "commune", c, on, notes) for c in codes]
        if len({(p.zone, p.under_served) for p in placements}) == 1:
            first = placements[0]
            first.notes.append(f"même classe pour {', '.join(codes)}")
            return first
        detail = ", ".join(f"{p.commune_code} {p.commune_name} : {p.zone}" for p in placements)
        raise AmbiguousError(
            f"le code {code} couvre des communes de classes différentes ({detail})"
        )
    return _place(store, code, "commune", codes[0], on, notes)


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
    later = keyed.events_from_many(list(rows), _vintage_iso(store), "9999")
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
    renamed = _covered_later(store, rows, choices)
    for code in wanted:
        commune = rows.get(code)
        if commune is None or code in renamed:
            try:
                if commune is None:
                    out[code] = by_commune(store, code, on)
                else:
                    out[code] = _place(store, code, via, code, on, [])
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
        notes = _later_notes(later.get(code, []))
        out[code] = _placement(store, code, via, commune, zoned, listed.get(code, []), notes)
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
    later = [row for row in (_later_row(store, c) for c in later_codes) if row is not None]
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
        return _later_placement(store, query, "postcode+name", later[0], on)
    codes = hits or sorted(str(r["code"]) for r in later)
    if len(codes) > 1:
        names = {**{str(r["code"]): str(r["name"]) for r in later}, **store.keyed.names(codes)}
        raise AmbiguousError(
            f"« {name} » au {postcode} désigne plusieurs communes : "
            + ", ".join(f"{c} {names.get(c, '?')}" for c in codes)
        )
    return _place(store, query, "postcode+name", codes[0], on, [])


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


def point_index(store: ZoningStore, table: str) -> tuple[np.ndarray, Any]:
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
    return _place(store, f"{lon},{lat}", "point", commune, on, [], (lon, lat), qpv)
