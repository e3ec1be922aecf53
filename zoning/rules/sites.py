"""Locate the sites of many posts at once, through the lead's lookup API.

Points (given, from FINESS or from the optional geocoder) go through one vectorised
``lookup.assign_points`` call; each distinct (commune, date) is then placed once, all
of a date together with ``lookup.by_communes`` (decree in force on that date, zone,
QPV of the commune: a few bulk queries, not a few per commune) and the
point's own QPV polygons are put back on the placement. Sites given by commune code
or by postcode + name use ``lookup.by_commune`` / ``lookup.by_postcode_name``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from zoning._gc import paused_gc
from zoning.errors import InvalidInputError, NotFoundError, ZoningError
from zoning.rules.identifiers import normalise_finess, normalise_insee
from zoning.rules.post import (
    PRECISION_COMMUNE,
    PRECISION_FINESS,
    PRECISION_NAME,
    PRECISION_POINT,
    PRECISION_POSTCODE,
    Located,
    SiteInput,
)

log = logging.getLogger(__name__)

# FINESS ET number -> (lon, lat, INSEE code or None), or None when unknown.
FinessLocator = Callable[[str], tuple[float | None, float | None, str | None] | None]
# FINESS ET number -> the establishment's legal category as its record says it:
# « public », « prive » (ESPIC or for-profit, the source does not tell), or None.
FinessStatus = Callable[[str], str | None]
_LEGAL_STATUS = {"public": "public", "private": "prive", "prive": "prive"}
# A site with an address -> (lon, lat, precision label[, note]), or the reason it failed
# (or None). A geocoder may also have ``prepare(sites)``, called once with every site.
Geocoder = Callable[
    [SiteInput], tuple[float, float, str] | tuple[float, float, str, str] | str | None
]

GEOCODE_PRECISIONS = {
    "address": "adresse (numéro)",
    "street": "adresse (rue)",
    "finess": PRECISION_FINESS,
    "municipality": PRECISION_COMMUNE,
}


def _record(directory: Any, number: str) -> Any:
    """The FINESS record of ``number``, or None when unknown or malformed."""
    try:
        return directory.get(number)
    except ZoningError:
        return None


def finess_locator_from_directory(directory: Any) -> FinessLocator:
    """Adapt a :class:`zoning.sources.finess.FinessDirectory` (anything with ``get``)."""

    def locate(number: str) -> tuple[float | None, float | None, str | None] | None:
        site = _record(directory, number)
        return None if site is None else (site.lon, site.lat, site.citycode)

    return locate


def finess_status_from_directory(directory: Any) -> FinessStatus:
    """The legal category of an establishment from its FINESS record (see :data:`FinessStatus`)."""

    def status(number: str) -> str | None:
        site = _record(directory, number)
        value = str(getattr(site, "legal_status", None) or "").strip().lower()
        return _LEGAL_STATUS.get(value)

    return status


def _finess_directory(sources_dir: Path | None) -> Any:
    from zoning.settings import get_settings
    from zoning.sources.finess import load_finess_directory

    try:
        directory = load_finess_directory(sources_dir or get_settings().sources)
    except (ZoningError, OSError) as exc:
        log.warning("FINESS lookups unavailable: %s", exc)
        return None
    if not len(directory):
        log.warning("FINESS lookups unavailable: no FINESS file in %s", sources_dir)
        return None
    return directory


def default_finess_locator(sources_dir: Path | None = None) -> FinessLocator | None:
    """FINESS lookups from the FINESS files of a sources folder, or None if it has none."""
    directory = _finess_directory(sources_dir)
    return None if directory is None else finess_locator_from_directory(directory)


def default_finess_lookups(
    sources_dir: Path | None = None,
) -> tuple[FinessLocator | None, FinessStatus | None]:
    """Location and legal category lookups from one read of the FINESS files."""
    directory = _finess_directory(sources_dir)
    if directory is None:
        return None, None
    return finess_locator_from_directory(directory), finess_status_from_directory(directory)


class _AddressGeocoder:
    """The project's geocoder as a :data:`Geocoder`: every address of a batch is sent
    at once (``prepare``, ``/search/csv/`` chunks, cached on disk), then each site
    reads its answer. A geocoder down after its retry budget stops the batch (exit 6):
    the answers already received stay in the cache and a re-run resumes from them.
    """

    def __init__(self) -> None:
        from zoning.locate.geocode import default_geocoder as project_geocoder

        self.geocoder = project_geocoder()
        self.answers: dict[tuple[str, str, str, str], Any] = {}

    @staticmethod
    def _key(site: SiteInput) -> tuple[str, str, str, str]:
        return (site.address or "", site.postcode or "", site.city or "", site.commune or "")

    def prepare(self, sites: Sequence[SiteInput]) -> None:
        """Geocode every site that will need it, in bulk."""
        from zoning.errors import GeocoderUnavailableError
        from zoning.locate.geocode import PlaceQuery

        keys = list(dict.fromkeys(self._key(s) for s in sites if s.address))
        if not keys:
            return
        queries = [PlaceQuery.of(a, None, p, c, code) for a, p, c, code in keys]
        outcome = self.geocoder.geocode_many(queries)
        if outcome.error:
            raise GeocoderUnavailableError(
                f"géocodage interrompu, aucun fichier écrit : {outcome.error}. Les adresses "
                "déjà géocodées sont gardées en cache : relancez la même commande pour "
                "reprendre sans les redemander"
            )
        self.answers.update(zip(keys, outcome.results, strict=True))

    def __call__(self, site: SiteInput) -> tuple[float, float, str, str] | str:
        result = self.answers.get(self._key(site))
        if result is None:
            result = self.geocoder.geocode_one(
                address=site.address, postcode=site.postcode, city=site.city,
                citycode=site.commune,
            )  # fmt: skip
        if result.lon is None or result.lat is None:
            return result.reason
        precision = GEOCODE_PRECISIONS.get(result.precision, PRECISION_COMMUNE)
        return result.lon, result.lat, precision, result.reason


def default_geocoder() -> Geocoder | None:
    """Addresses through the project's geocoder (``zoning.locate.geocode``).

    It asks the addok server of the settings (``ZONING_ADDOK_URL``; ``off``: addresses
    fall back on their commune, « à vérifier »). An answer outside the stated commune is
    refused by the geocoder, which keeps the commune and says why.
    """
    return _AddressGeocoder()


@dataclasses.dataclass
class _Pending:
    lon: float | None = None
    lat: float | None = None
    precision: str = ""
    commune: str | None = None
    error: str | None = None
    invalid: bool = False
    notes: list[str] = dataclasses.field(default_factory=list)


def _first_pass(
    site: SiteInput, finess: FinessLocator | None, geocoder: Geocoder | None
) -> _Pending:
    """Turn what the user gave into a point or a commune code (no store needed)."""
    if site.lon is not None or site.lat is not None:
        if site.lon is None or site.lat is None:
            return _Pending(error="longitude ou latitude manquante", invalid=True)
        if not (-180 <= site.lon <= 180 and -90 <= site.lat <= 90):
            return _Pending(error=f"coordonnées impossibles ({site.lon}, {site.lat})", invalid=True)
        return _Pending(site.lon, site.lat, PRECISION_POINT)
    if site.is_empty():
        return _Pending(error="site non renseigné", invalid=True)
    notes: list[str] = []
    if site.finess:
        try:
            number = normalise_finess(site.finess)
        except InvalidInputError as exc:
            return _Pending(error=str(exc), invalid=True)
        found = finess(number) if finess else None
        if found and found[0] is not None and found[1] is not None:
            return _Pending(found[0], found[1], PRECISION_FINESS, commune=found[2])
        notes.append(f"FINESS {number} introuvable" if finess else "recherche FINESS indisponible")
    if site.address and geocoder:
        hit = geocoder(site)
        if hit is not None and not isinstance(hit, str):
            return _Pending(hit[0], hit[1], hit[2], notes=[*notes, *(n for n in hit[3:] if n)])
        notes.append(f"adresse non géocodée : {hit}" if hit else "adresse non géocodée")
    elif site.address:
        notes.append("adresse fournie mais géocodage non demandé (option --geocode)")
    if site.commune:
        try:
            code = normalise_insee(site.commune)
        except InvalidInputError as exc:
            return _Pending(error=str(exc), invalid=True, notes=notes)
        return _Pending(precision=PRECISION_COMMUNE, commune=code, notes=notes)
    if site.postcode and site.city:
        return _Pending(precision=PRECISION_POSTCODE, notes=notes)
    if site.city and not site.postcode:
        # A commune by its name alone: placed only when one commune in France bears it.
        return _Pending(precision=PRECISION_NAME, notes=notes)
    reason = (
        "; ".join(notes)
        or "localisation insuffisante (coordonnées, code INSEE, "
        "code postal et commune, FINESS ou adresse attendus)"
    )
    return _Pending(error=reason, invalid=not notes, notes=notes)


# How the lookup's note on a commune's QPV starts (zoning.locate.lookup._placement).
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


@paused_gc()
def locate_sites(
    store: Any,
    sites: Sequence[SiteInput],
    dates: Sequence[dt.date | None],
    finess: FinessLocator | None = None,
    geocoder: Geocoder | None = None,
    lookup: Any = None,
) -> list[Located]:
    """Locate every site; ``dates[i]`` is the date the zoning is judged at for site i.

    Never raises for one bad site: its :class:`Located` carries a French ``error``.
    """
    if lookup is None:
        from zoning.locate import lookup as lookup_module

        lookup = lookup_module
    prepare = getattr(geocoder, "prepare", None)
    if prepare is not None:
        # Only sites that will need it: a FINESS number is tried first (no address sent).
        prepare([s for s in sites if s.lon is None and s.lat is None and not s.finess])
    pending = [_first_pass(s, finess, geocoder) for s in sites]
    points = [i for i, p in enumerate(pending) if p.error is None and p.lon is not None]
    assigned: dict[int, tuple[str | None, tuple[str, ...]]] = {}
    if points:
        lon = np.array([pending[i].lon for i in points], dtype=float)
        lat = np.array([pending[i].lat for i in points], dtype=float)
        frame = lookup.assign_points(store, lon, lat)
        for i, commune, qpv in zip(
            points, frame["commune"].tolist(), frame["qpv"].tolist(), strict=True
        ):
            qpvs = tuple(q for q in qpv.split(",") if q) if isinstance(qpv, str) else ()
            assigned[i] = (commune if isinstance(commune, str) else None, qpvs)
    # (code, date, how it was found) -> placement, or the error of that code
    cache: dict[tuple[str, dt.date | None, str], Any] = {}
    by_communes = getattr(lookup, "by_communes", None)
    if by_communes is not None:
        # Every commune to place, per date and way, in a few bulk queries rather than a
        # handful of SQLite queries per commune.
        wanted: dict[tuple[dt.date | None, str], set[str]] = {}
        for i, p in enumerate(pending):
            if i in assigned:
                code, via = assigned[i][0], "point"
            else:
                code, via = (p.commune if p.error is None else None), "commune"
            if code is not None:
                wanted.setdefault((dates[i], via), set()).add(code)
        for (on, via), codes in wanted.items():
            for code, place in by_communes(store, codes, on=on, via=via).items():
                cache[(code, on, via)] = place

    def by_commune(code: str, on: dt.date | None, via: str = "commune") -> Any:
        key = (code, on, via)
        if key not in cache:
            try:
                cache[key] = lookup.by_commune(store, code, on=on)
            except ZoningError as exc:
                cache[key] = exc
        return cache[key]

    at_points: dict[tuple[str, dt.date | None, tuple[str, ...]], Any] = {}

    def at_point(code: str, on: dt.date | None, qpvs: tuple[str, ...]) -> Any:
        """The commune's placement with the QPV polygons of the point, shared by every
        point of the same commune, date and QPV (the point itself is on the Located)."""
        key = (code, on, qpvs)
        if key not in at_points:
            place = by_commune(code, on, "point")
            if not isinstance(place, ZoningError) and (qpvs or place.via != "point"):
                # A shallow copy, as dataclasses.replace makes, without running __init__.
                place = copy.copy(place)
                place.via, place.qpv = "point", list(qpvs)
                place.under_served = True if qpvs else place.under_served
            at_points[key] = place
        place = at_points[key]
        if isinstance(place, ZoningError):
            raise place
        return place

    out: list[Located] = []
    for i, (site, p) in enumerate(zip(sites, pending, strict=True)):
        on = dates[i]
        if p.error is not None:
            out.append(Located(None, None, None, p.precision, p.error, p.invalid, tuple(p.notes)))
            continue
        try:
            if i in assigned:
                commune, qpvs = assigned[i]
                if commune is None:
                    out.append(
                        Located(
                            p.lon,
                            p.lat,
                            None,
                            p.precision,
                            "point hors de toute commune connue",
                            True,
                            tuple(p.notes),
                        )
                    )
                    continue
                place = at_point(commune, on, qpvs)
            elif p.commune is not None and site.city and store.keyed.later_codes([p.commune]):
                # A code two communes share (16393: Vars, La Boixe since 2025): the name says.
                place = lookup.by_commune(store, p.commune, on=on, name=site.city)
            elif p.commune is not None:
                place = by_commune(p.commune, on)
                if isinstance(place, ZoningError):
                    raise place
            elif p.precision == PRECISION_NAME:
                from zoning.locate.search import by_name

                place = by_name(store, str(site.city), on=on)
                place.notes.insert(0, f"commune trouvée par son seul nom « {site.city} »")
            else:
                place = lookup.by_postcode_name(store, site.postcode, site.city, on=on)
        except ZoningError as exc:
            # A malformed or unknown code is bad input; no decree or an ambiguous name is a
            # question for the instructor.
            invalid = isinstance(exc, InvalidInputError | NotFoundError)
            out.append(Located(p.lon, p.lat, None, p.precision, str(exc), invalid, tuple(p.notes)))
            continue
        site_lon = p.lon if p.lon is not None else getattr(place, "lon", None)
        site_lat = p.lat if p.lat is not None else getattr(place, "lat", None)
        notes = (*p.notes, *getattr(place, "notes", []))
        reference = None
        if site_lon is None and getattr(place, "commune_code", None):
            reference = store.keyed.reference_point(place.commune_code)
        out.append(
            Located(site_lon, site_lat, place, p.precision, None, False, tuple(notes), reference)
        )
    return out
