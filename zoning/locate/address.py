"""The batch's address geocoder: every address of a run sent at once, then read site by site."""

from __future__ import annotations

from collections.abc import Sequence

from zoning.errors import GeocoderUnavailableError
from zoning.locate.geocode import GeocodeResult, PlaceQuery
from zoning.locate.geocode import default_geocoder as project_geocoder
from zoning.locate.site import PRECISION_COMMUNE, PRECISION_FINESS, SiteInput

GEOCODE_PRECISIONS = {
    "address": "adresse (numéro)",
    "street": "adresse (rue)",
    "finess": PRECISION_FINESS,
    "municipality": PRECISION_COMMUNE,
}

_Key = tuple[str, str, str, str]


class AddressGeocoder:
    """The project's geocoder as a :class:`~zoning.locate.site.SiteGeocoder`: every
    address of a batch is sent at once (:meth:`prepare`, ``/search/csv/`` chunks, cached
    on disk), then each site reads its answer. A geocoder down after its retry budget
    stops the batch (exit 6): the answers already received stay in the cache and a
    re-run resumes from them.

    It asks the addok server of the settings (``ZONING_ADDOK_URL``; ``off``: addresses
    fall back on their commune, « à vérifier »). An answer outside the stated commune is
    refused by the geocoder, which keeps the commune and says why.
    """

    def __init__(self) -> None:
        self.geocoder = project_geocoder()
        self.answers: dict[_Key, GeocodeResult] = {}

    @staticmethod
    def _key(site: SiteInput) -> _Key:
        return (site.address or "", site.postcode or "", site.city or "", site.commune or "")

    def prepare(self, sites: Sequence[SiteInput]) -> None:
        """Geocode every site that will need it, in bulk."""
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

    def __call__(self, site: SiteInput, /) -> tuple[float, float, str, str] | str:
        """The answer for one site (asked now when :meth:`prepare` did not)."""
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
