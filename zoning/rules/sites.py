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

from zoning.errors import InvalidInputError, NotFoundError, ZoningError
from zoning.rules.identifiers import normalise_finess, normalise_insee
from zoning.rules.post import (
    PRECISION_COMMUNE,
    PRECISION_FINESS,
    PRECISION_POINT,
    PRECISION_POSTCODE,
    Located,
    SiteInput,
)

log = logging.getLogger(__name__)

# FINESS ET number -> (lon, lat, INSEE code or None), or None when unknown.
FinessLocator = Callable[[str], tuple[float | None, float | None, str | None] | None]
# A site with an address -> (lon, lat, precision label) or None.
Geocoder = Callable[[SiteInput], tuple[float, float, str] | None]

GEOCODE_PRECISIONS = {
    "address": "adresse (numéro)",
    "street": "adresse (rue)",
    "finess": PRECISION_FINESS,
    "municipality": PRECISION_COMMUNE,
}


def finess_locator_from_directory(directory: Any) -> FinessLocator:
    """Adapt a :class:`zoning.sources.finess.FinessDirectory` (anything with ``get``)."""

    def locate(number: str) -> tuple[float | None, float | None, str | None] | None:
        try:
            site = directory.get(number)
        except ZoningError:
            return None
        return site.lon, site.lat, site.citycode

    return locate


def default_finess_locator(sources_dir: Path | None = None) -> FinessLocator | None:
    """FINESS lookups from the FINESS files of a sources folder, or None if it has none."""
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
    return finess_locator_from_directory(directory)


def default_geocoder() -> Geocoder | None:
    """Addresses through the project's geocoder (``zoning.locate.geocode``), if present.

    It asks the addok server of the settings; a failure leaves the site « à vérifier ».
    """
    try:
        from zoning.locate.geocode import geocode_one
    except ImportError:
        return None

    def geocode(site: SiteInput) -> tuple[float, float, str] | None:
        try:
            result = geocode_one(
                address=site.address, postcode=site.postcode, city=site.city, citycode=site.commune
            )
        except ZoningError as exc:
            log.warning("geocoding failed: %s", exc)
            return None
        if result.lon is None or result.lat is None:
            return None
        return result.lon, result.lat, GEOCODE_PRECISIONS.get(result.precision, PRECISION_COMMUNE)

    return geocode


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
        if hit is not None:
            return _Pending(hit[0], hit[1], hit[2], notes=notes)
        notes.append("adresse non géocodée")
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
    reason = (
        "; ".join(notes)
        or "localisation insuffisante (coordonnées, code INSEE, "
        "code postal et commune, FINESS ou adresse attendus)"
    )
    return _Pending(error=reason, invalid=not notes, notes=notes)


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
    pending = [_first_pass(s, finess, geocoder) for s in sites]
    points = [i for i, p in enumerate(pending) if p.error is None and p.lon is not None]
    assigned: dict[int, tuple[str | None, list[str]]] = {}
    if points:
        lon = np.array([pending[i].lon for i in points], dtype=float)
        lat = np.array([pending[i].lat for i in points], dtype=float)
        frame = lookup.assign_points(store, lon, lat)
        for i, commune, qpv in zip(points, frame["commune"], frame["qpv"], strict=True):
            qpvs = [q for q in str(qpv).split(",") if q] if isinstance(qpv, str) else []
            assigned[i] = (commune if isinstance(commune, str) else None, qpvs)
    cache: dict[tuple[str, dt.date | None], Any] = {}
    by_communes = getattr(lookup, "by_communes", None)
    if by_communes is not None:
        # Every commune to place, per date, in a few bulk queries rather than a handful
        # of SQLite queries per commune.
        wanted: dict[dt.date | None, set[str]] = {}
        for i, p in enumerate(pending):
            code = assigned[i][0] if i in assigned else p.commune if p.error is None else None
            if code is not None:
                wanted.setdefault(dates[i], set()).add(code)
        for on, codes in wanted.items():
            for code, place in by_communes(store, codes, on=on).items():
                cache[(code, on)] = place

    def by_commune(code: str, on: dt.date | None) -> Any:
        key = (code, on)
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
            place = by_commune(code, on)
            if not isinstance(place, ZoningError):
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
                place = at_point(commune, on, tuple(qpvs))
            elif p.commune is not None:
                place = by_commune(p.commune, on)
                if isinstance(place, ZoningError):
                    raise place
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
