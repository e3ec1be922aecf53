"""Locate the sites of many posts at once: what the user gave -> point, commune, placement.

Each site goes through one sequence, the same for every way in: given coordinates, else
its FINESS number (:mod:`zoning.locate.finess`), else its address (the optional
:class:`~zoning.locate.site.SiteGeocoder`), else its commune code, postal code and name, or
name alone. Points then go through one vectorised ``lookup.assign_points`` call; each
distinct (commune, date) is placed once, all of a date together with
``lookup.by_communes`` (decree in force on that date, zone, QPV of the commune: a few bulk
queries, not a few per commune), and the point's own QPV polygons are put back on the
placement.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from zoning._gc import paused_gc
from zoning.errors import (
    AmbiguousError,
    DecreeNotLoadedError,
    InvalidInputError,
    NotFoundError,
    OutsideCoverageError,
    ZoningError,
)
from zoning.identifiers import normalise_finess, normalise_insee
from zoning.locate import lookup
from zoning.locate.finess import FinessLocator
from zoning.locate.placement import Placement
from zoning.locate.site import (
    PRECISION_COMMUNE,
    PRECISION_FINESS,
    PRECISION_NAME,
    PRECISION_POINT,
    PRECISION_POSTCODE,
    Located,
    SiteGeocoder,
    SiteInput,
)
from zoning.reasons import Reason
from zoning.store.decrees import NOT_LOADED, STATUS_CODES
from zoning.store.store import ZoningStore


class Locator(Protocol):
    """Sites -> where they are; ``dates[i]`` is the date site i's zoning is judged at.

    Never raises for one bad site: its :class:`Located` carries a French ``error``.
    """

    def __call__(
        self, sites: Sequence[SiteInput], dates: Sequence[dt.date | None], /
    ) -> list[Located]:
        """One :class:`Located` per site, in order."""
        ...


@dataclasses.dataclass(frozen=True)
class SiteLocator:
    """The :class:`Locator` of a store, with FINESS lookups and a geocoder if given."""

    store: ZoningStore
    finess: FinessLocator | None = None
    geocoder: SiteGeocoder | None = None

    def __call__(
        self, sites: Sequence[SiteInput], dates: Sequence[dt.date | None], /
    ) -> list[Located]:
        """See :func:`locate_sites`."""
        return locate_sites(self.store, sites, dates, self.finess, self.geocoder)


@dataclasses.dataclass
class _Pending:
    """What the first pass made of a site, before any store lookup."""

    lon: float | None = None
    lat: float | None = None
    precision: str = ""
    commune: str | None = None
    error: Reason | None = None
    invalid: bool = False
    notes: list[str] = dataclasses.field(default_factory=list)


def _given_point(site: SiteInput) -> _Pending:
    if site.lon is None or site.lat is None:
        missing = Reason("SITE-COORD-INCOMPLETES", "longitude ou latitude manquante")
        return _Pending(error=missing, invalid=True)
    if not (-180 <= site.lon <= 180 and -90 <= site.lat <= 90):
        said = f"coordonnées impossibles ({site.lon}, {site.lat})"
        return _Pending(error=Reason("SITE-COORD-IMPOSSIBLES", said), invalid=True)
    return _Pending(site.lon, site.lat, PRECISION_POINT)


def _finess_point(
    site: SiteInput, finess: FinessLocator | None, notes: list[str]
) -> _Pending | None:
    """The establishment's point, an invalid number, or None (a note says why) to go on."""
    try:
        number = normalise_finess(site.finess)
    except InvalidInputError as exc:
        return _Pending(error=Reason("SITE-FINESS-INVALIDE", str(exc)), invalid=True)
    found = finess(number) if finess else None
    if found and found[0] is not None and found[1] is not None:
        return _Pending(found[0], found[1], PRECISION_FINESS, commune=found[2])
    notes.append(f"FINESS {number} introuvable" if finess else "recherche FINESS indisponible")
    return None


def _address_point(
    site: SiteInput, geocoder: SiteGeocoder | None, notes: list[str]
) -> _Pending | None:
    """The geocoder's point for the site's address, or None (a note says why)."""
    if geocoder is None:
        notes.append("adresse fournie mais géocodage non demandé (option --geocode)")
        return None
    hit = geocoder(site)
    if hit is not None and not isinstance(hit, str):
        return _Pending(hit[0], hit[1], hit[2], notes=[*notes, *(n for n in hit[3:] if n)])
    notes.append(f"adresse non géocodée : {hit}" if hit else "adresse non géocodée")
    return None


def _commune_only(site: SiteInput, notes: list[str]) -> _Pending:
    """A site known by its commune: code, postal code and name, or name alone."""
    if site.commune:
        try:
            code = normalise_insee(site.commune)
        except InvalidInputError as exc:
            return _Pending(
                error=Reason("SITE-INSEE-INVALIDE", str(exc)), invalid=True, notes=notes
            )
        return _Pending(precision=PRECISION_COMMUNE, commune=code, notes=notes)
    if site.postcode and site.city:
        return _Pending(precision=PRECISION_POSTCODE, notes=notes)
    if site.city and not site.postcode:
        # A commune by its name alone: placed only when one commune in France bears it.
        return _Pending(precision=PRECISION_NAME, notes=notes)
    if notes:  # a FINESS number or an address given, and not found: a question, not bad data
        return _Pending(error=Reason("SITE-NON-LOCALISE", "; ".join(notes)), notes=notes)
    reason = Reason(
        "SITE-LOCALISATION-INSUFFISANTE",
        "localisation insuffisante (coordonnées, code INSEE, "
        "code postal et commune, FINESS ou adresse attendus)",
    )
    return _Pending(error=reason, invalid=True, notes=notes)


def _first_pass(
    site: SiteInput, finess: FinessLocator | None, geocoder: SiteGeocoder | None
) -> _Pending:
    """Turn what the user gave into a point or a commune code (no store needed)."""
    if site.lon is not None or site.lat is not None:
        return _given_point(site)
    if site.is_empty():
        return _Pending(error=Reason("SITE-NON-RENSEIGNE", "site non renseigné"), invalid=True)
    notes: list[str] = []
    if site.finess and (found := _finess_point(site, finess, notes)) is not None:
        return found
    if site.address and (found := _address_point(site, geocoder, notes)) is not None:
        return found
    return _commune_only(site, notes)


def placing_error(exc: ZoningError) -> Reason:
    """Why a site's commune could not be placed, with the code of the kind of failure."""
    if isinstance(exc, DecreeNotLoadedError):
        code = STATUS_CODES[NOT_LOADED]
    elif isinstance(exc, OutsideCoverageError):
        code = "SITE-HORS-COUVERTURE"
    elif isinstance(exc, AmbiguousError):
        code = "SITE-COMMUNE-AMBIGUE"
    elif isinstance(exc, NotFoundError):
        code = "SITE-COMMUNE-INCONNUE"
    elif isinstance(exc, InvalidInputError):
        code = "SITE-COMMUNE-INVALIDE"
    else:
        code = "SITE-LOCALISATION-ECHEC"
    return Reason(code, str(exc))


# How the lookup's note on a commune's QPV starts (zoning.locate.placing.commune_placement).
_QPV_NOTE = "la commune compte "


def without_zone_notes(located: Located) -> Located:
    """``located`` without the notes about its commune's class, decree and QPV.

    For a site whose zone plays no part (the main site): what is said of where it is
    (FINESS, geocoder, commune movements) stays.
    """
    place = located.placement
    if place is None:
        return located
    decree = getattr(place, "decree", None)
    zone = {getattr(place, "decree_caveat", ""), *(decree.caveats if decree else ())}
    zone.add("commune absente de l'arrêté")
    notes = tuple(n for n in located.notes if n not in zone and not n.startswith(_QPV_NOTE))
    return located if notes == located.notes else dataclasses.replace(located, notes=notes)


#: Site index -> (commune the point falls in or None, QPV codes at the point).
_Assigned = dict[int, tuple[str | None, tuple[str, ...]]]


def _assign_points(store: ZoningStore, pending: Sequence[_Pending]) -> _Assigned:
    """Commune and QPV of every point, in one vectorised lookup."""
    points = [i for i, p in enumerate(pending) if p.error is None and p.lon is not None]
    assigned: _Assigned = {}
    if not points:
        return assigned
    lon = np.array([pending[i].lon for i in points], dtype=float)
    lat = np.array([pending[i].lat for i in points], dtype=float)
    frame = lookup.assign_points(store, lon, lat)
    for i, commune, qpv in zip(
        points, frame["commune"].tolist(), frame["qpv"].tolist(), strict=True
    ):
        qpvs = tuple(q for q in qpv.split(",") if q) if isinstance(qpv, str) else ()
        assigned[i] = (commune if isinstance(commune, str) else None, qpvs)
    return assigned


class _Placements:
    """Placements of communes, each (code, date, how it was found) asked once.

    A placement is computed once and shared by every site it answers (read-only).
    """

    def __init__(self, store: ZoningStore) -> None:
        self.store = store
        # (code, date, how it was found) -> placement, or the error of that code
        self.cache: dict[tuple[str, dt.date | None, str], Placement | ZoningError] = {}
        self.at_points: dict[
            tuple[str, dt.date | None, tuple[str, ...]], Placement | ZoningError
        ] = {}

    def prefill(
        self, pending: Sequence[_Pending], assigned: _Assigned, dates: Sequence[dt.date | None]
    ) -> None:
        """Every commune to place, per date and way, in a few bulk queries rather than a
        handful of SQLite queries per commune."""
        wanted: dict[tuple[dt.date | None, str], set[str]] = {}
        for i, p in enumerate(pending):
            if i in assigned:
                code, via = assigned[i][0], "point"
            else:
                code, via = (p.commune if p.error is None else None), "commune"
            if code is not None:
                wanted.setdefault((dates[i], via), set()).add(code)
        for (on, via), codes in wanted.items():
            for code, place in lookup.by_communes(self.store, codes, on=on, via=via).items():
                self.cache[(code, on, via)] = place

    def by_commune(
        self, code: str, on: dt.date | None, via: str = "commune"
    ) -> Placement | ZoningError:
        """The commune's placement, or the error that placing it raised."""
        key = (code, on, via)
        if key not in self.cache:
            try:
                self.cache[key] = lookup.by_commune(self.store, code, on=on)
            except ZoningError as exc:
                self.cache[key] = exc
        return self.cache[key]

    def at_point(self, code: str, on: dt.date | None, qpvs: tuple[str, ...]) -> Placement:
        """The commune's placement with the QPV polygons of the point, shared by every
        point of the same commune, date and QPV (the point itself is on the Located)."""
        key = (code, on, qpvs)
        if key not in self.at_points:
            place = self.by_commune(code, on, "point")
            if not isinstance(place, ZoningError) and (qpvs or place.via != "point"):
                # A shallow copy, as dataclasses.replace makes, without running __init__.
                place = copy.copy(place)
                place.via, place.qpv = "point", list(qpvs)
                place.under_served = True if qpvs else place.under_served
            self.at_points[key] = place
        place = self.at_points[key]
        if isinstance(place, ZoningError):
            raise place
        return place


def _placement(
    places: _Placements,
    site: SiteInput,
    p: _Pending,
    assigned: tuple[str | None, tuple[str, ...]] | None,
    on: dt.date | None,
) -> Placement:
    """The placement of one site found by the first pass (raises ZoningError)."""
    store = places.store
    if assigned is not None:
        commune, qpvs = assigned
        assert commune is not None
        return places.at_point(commune, on, qpvs)
    if p.commune is not None and site.city and store.keyed.later_codes([p.commune]):
        # A code two communes share (16393: Vars, La Boixe since 2025): the name says.
        return lookup.by_commune(store, p.commune, on=on, name=site.city)
    if p.commune is not None:
        place = places.by_commune(p.commune, on)
        if isinstance(place, ZoningError):
            raise place
        return place
    if p.precision == PRECISION_NAME:
        from zoning.locate.search import by_name

        place = by_name(store, str(site.city), on=on)
        place.notes.insert(0, f"commune trouvée par son seul nom « {site.city} »")
        return place
    return lookup.by_postcode_name(store, str(site.postcode), str(site.city), on=on)


def _located(
    places: _Placements,
    site: SiteInput,
    p: _Pending,
    assigned: tuple[str | None, tuple[str, ...]] | None,
    on: dt.date | None,
) -> Located:
    """One site once placed, or the reason it could not be."""
    notes = tuple(p.notes)
    if p.error is not None:
        return Located(None, None, None, p.precision, p.error, p.invalid, notes)
    if assigned is not None and assigned[0] is None:
        error = Reason("SITE-HORS-COMMUNES", "point hors de toute commune connue")
        return Located(p.lon, p.lat, None, p.precision, error, True, notes)
    try:
        place = _placement(places, site, p, assigned, on)
    except ZoningError as exc:
        # A malformed or unknown code is bad input; no decree or an ambiguous name is a
        # question for the instructor.
        invalid = isinstance(exc, InvalidInputError | NotFoundError)
        return Located(p.lon, p.lat, None, p.precision, placing_error(exc), invalid, notes)
    site_lon = p.lon if p.lon is not None else place.lon
    site_lat = p.lat if p.lat is not None else place.lat
    reference = None
    if site_lon is None and place.commune_code:
        reference = places.store.keyed.reference_point(place.commune_code)
    notes = (*notes, *place.notes)
    return Located(site_lon, site_lat, place, p.precision, None, False, notes, reference)


@paused_gc()
def locate_sites(
    store: ZoningStore,
    sites: Sequence[SiteInput],
    dates: Sequence[dt.date | None],
    finess: FinessLocator | None = None,
    geocoder: SiteGeocoder | None = None,
) -> list[Located]:
    """Locate every site; ``dates[i]`` is the date the zoning is judged at for site i.

    Never raises for one bad site: its :class:`Located` carries a French ``error``.
    """
    prepare = getattr(geocoder, "prepare", None)
    if prepare is not None:
        # Only sites that will need it: a FINESS number is tried first (no address sent).
        prepare([s for s in sites if s.lon is None and s.lat is None and not s.finess])
    pending = [_first_pass(s, finess, geocoder) for s in sites]
    assigned = _assign_points(store, pending)
    places = _Placements(store)
    places.prefill(pending, assigned, dates)
    return [
        _located(places, site, p, assigned.get(i), dates[i])
        for i, (site, p) in enumerate(zip(sites, pending, strict=True))
    ]
