"""A shared post as the rules see it: a candidate, a main site, other sites, dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PRECISION_POINT = "coordonnées fournies"
PRECISION_FINESS = "FINESS (coordonnées de l'établissement)"
PRECISION_COMMUNE = "commune"
PRECISION_POSTCODE = "code postal et commune"
PRECISION_NAME = "nom de commune seul"
# Precisions that give a commune, not a place inside it (no QPV test possible).
COARSE_PRECISIONS = frozenset({PRECISION_COMMUNE, PRECISION_POSTCODE, PRECISION_NAME})


@dataclass(frozen=True)
class SiteInput:
    """Where a site is, as given by the user (any of the ways may be set)."""

    lon: float | None = None
    lat: float | None = None
    commune: str | None = None
    postcode: str | None = None
    city: str | None = None
    finess: str | None = None
    address: str | None = None
    name: str | None = None
    kind: str | None = None
    half_days: float | None = None

    def is_empty(self) -> bool:
        """Whether no way to locate the site was given."""
        return not any(
            v not in (None, "")
            for v in (
                self.lon,
                self.lat,
                self.commune,
                self.postcode,
                self.city,
                self.finess,
                self.address,
            )
        )


@dataclass(frozen=True)
class Located:
    """A site once located: point (if known), placement from the lookup, precision.

    ``placement`` is a :class:`zoning.locate.lookup.Placement` (or any object with the
    same attributes); ``error`` is a French reason when the site could not be located
    and ``invalid`` tells bad input from a missing answer.
    """

    lon: float | None
    lat: float | None
    placement: Any
    precision: str
    error: str | None = None
    invalid: bool = False
    notes: tuple[str, ...] = ()
    # The commune's reference point when the site is known by its commune only: drawn on
    # maps, never used as the site's position in a rule.
    reference_point: tuple[float, float] | None = None

    def commune_label(self) -> str | None:
        """« Biarritz (64122) »: the commune the site was placed in (None: not placed)."""
        place = self.placement
        if place is None or not getattr(place, "commune_code", None):
            return None
        return f"{place.commune_name} ({place.commune_code})"


@dataclass(frozen=True)
class Post:
    """One candidate post; values not given are None and checked as « à vérifier »."""

    ref: str | None = None
    rpps: str | None = None
    ordre_date: dt.date | None = None
    specialty: str | None = None
    hospital: SiteInput | None = None
    establishment_type: str | None = None
    # Where ``establishment_type`` comes from when the user did not give it (FINESS record).
    establishment_type_source: str | None = None
    hospital_half_days: float | None = None
    sites: tuple[SiteInput, ...] = ()
    start: dt.date | None = None
    months: int | None = None
    duration_derogation: bool = False
    split_motivated: bool = False
    premium_derogation: str | None = None
    shortage_confirmed: bool = False
    monthly_cost: float | None = None
    filed: dt.date | None = None
    errors: tuple[str, ...] = field(default=())
    #: Values read but not settled (« novembre 2024 »: which day?): « à vérifier », not invalid.
    doubts: tuple[str, ...] = field(default=())
