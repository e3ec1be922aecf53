"""From what an application form holds (address, FINESS number) to a placement."""

from __future__ import annotations

from datetime import date

from zoning.errors import NotFoundError
from zoning.identifiers import normalise_finess
from zoning.locate import lookup
from zoning.locate.placement import Placement
from zoning.reasons import Reason
from zoning.store.store import ZoningStore


def place_query(
    store: ZoningStore,
    *,
    address: str | None = None,
    finess: str | None = None,
    on: date | None = None,
) -> Placement:
    """Geocode an address or a FINESS number, then place the point; the precision is noted."""
    from zoning.locate.geocode import Geocoder, geocode_one

    if finess is not None:
        finess = normalise_finess(finess)  # a malformed number is bad input (exit 2)
    geocoder = Geocoder(sources=store.sources_dir(), store=store)
    result = geocode_one(address=address, finess=finess, geocoder=geocoder)
    if result.lon is None or result.lat is None:
        raise NotFoundError(f"lieu introuvable : {result.reason}")
    placement = lookup.by_point(store, result.lon, result.lat, on)
    placement.query = address or finess or ""
    placement.via = f"géocodage ({result.source})"
    score = f", score {result.score:.2f}" if result.score is not None else ""
    placement.notes.insert(0, f"géocodé : « {result.label} », précision {result.precision}{score}")
    if result.reason:  # a commune kept instead of the address, and why
        placement.notes.insert(1, result.reason)
    if result.precision == "municipality":
        placement.doubts.append(kept_commune(result.reason))
    return placement


def kept_commune(reason: str) -> Reason:
    """Why the commune's point stands for an address, with the code of the case."""
    from zoning.locate.geocode.privacy import OFF_REASON
    from zoning.locate.geocode.result import OUTSIDE_STATED

    if reason.startswith(OFF_REASON):
        code = "SITE-GEOCODAGE-DESACTIVE"
    elif OUTSIDE_STATED in reason:
        code = "SITE-ADRESSE-HORS-COMMUNE"
    else:
        code = "SITE-ADRESSE-NON-TROUVEE"
    return Reason(code, reason or "adresse non trouvée : point de référence de la commune")
