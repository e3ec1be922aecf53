"""A site as the user gives it (:class:`SiteInput`) and once located (:class:`Located`).

The precision labels say how a site was found; they are written in the batch's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from zoning.reasons import Reason

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

    ``placement`` is a :class:`zoning.locate.placement.Placement` (or any object with the
    same attributes); ``error`` is a French reason (with its code) when the site could not
    be located and ``invalid`` tells bad input from a missing answer.
    """

    lon: float | None
    lat: float | None
    placement: Any
    precision: str
    error: Reason | None = None
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


#: What a geocoder answers for one site: (lon, lat, precision label[, note]), or the
#: reason it failed (or None).
GeocodeAnswer = tuple[float, float, str] | tuple[float, float, str, str] | str | None


class SiteGeocoder(Protocol):
    """A site with an address -> :data:`GeocodeAnswer`."""

    def __call__(self, site: SiteInput, /) -> GeocodeAnswer:
        """Where the site's address is, or why it was not found."""
        ...
