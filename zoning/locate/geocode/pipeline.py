"""One place to geocode: FINESS number first, then the address (addok), then the commune.

Order and why:

1. a FINESS ET number known to the FINESS files gives the establishment's own
   coordinates (precision ``finess``);
2. an address accepted by addok (precision ``address`` or ``street``);
3. otherwise the commune's reference point from its INSEE code, or postal code and
   name (precision ``municipality``, the reason says it is not an address).

When the geocoder is down, rows that needed it get no point and say so, instead of a
commune point that would look like an answer: running again completes them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from zoning.errors import InvalidInputError, NotFoundError
from zoning.locate.geocode._client import AddokClient, GeocoderUnavailableError
from zoning.locate.geocode.addok import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MIN_SCORE,
    AddokGeocoder,
    AddressQuery,
)
from zoning.locate.geocode.cache import AnswerCache
from zoning.locate.geocode.commune import CommuneLocator
from zoning.locate.geocode.result import GeocodeResult
from zoning.sources.finess import FinessDirectory

log = logging.getLogger(__name__)

_TRAILING_POSTCODE_CITY = re.compile(r"\b(\d{5})\s+([^\d,]+?)\s*$")


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none", "<na>"} else text


@dataclass(frozen=True)
class PlaceQuery:
    """What a user gives for one place; any field may be empty."""

    address: str = ""
    finess: str = ""
    postcode: str = ""
    city: str = ""
    citycode: str = ""

    @classmethod
    def of(
        cls,
        address: object = None,
        finess: object = None,
        postcode: object = None,
        city: object = None,
        citycode: object = None,
    ) -> PlaceQuery:
        """Build from raw cell values (``None``/NaN become empty, postcodes padded)."""
        pc = _clean(postcode)
        if pc.endswith(".0"):
            pc = pc[:-2]
        if pc.isdigit() and len(pc) == 4:
            pc = pc.zfill(5)  # a spreadsheet ate the leading zero
        code = _clean(citycode)
        if code.isdigit() and len(code) == 4:
            code = code.zfill(5)
        return cls(_clean(address), _clean(finess), pc, _clean(city), code)

    def commune_hint(self) -> tuple[str, str]:
        """(postcode, city) for the commune fallback, read from the address if needed."""
        postcode, city = self.postcode, self.city
        if (not postcode or not city) and self.address:
            match = _TRAILING_POSTCODE_CITY.search(self.address)
            if match:
                postcode = postcode or match.group(1)
                city = city or match.group(2)
        return postcode, city


@dataclass
class BatchOutcome:
    """Results of a batch, one per query in order, and the error that cut it short."""

    results: list[GeocodeResult]
    error: str | None = None

    @property
    def unfinished(self) -> int:
        """Rows left without a point because the geocoder failed."""
        return sum(1 for r in self.results if r.reason.startswith("géocodeur indisponible"))


class Geocoder:
    """FINESS + addok + commune fallback, sharing loaded tables and the answer cache.

    Parameters
    ----------
    url
        addok base URL (default: settings.addok_url).
    sources
        Folder of the source files (default: settings.sources).
    cache_path
        SQLite file of cached answers (default: ``<settings.cache>/geocode/answers.sqlite``);
        ``False`` disables the on-disk cache.
    min_score, chunk_size
        See :class:`~zoning.locate.geocode.addok.AddokGeocoder`.
    retries
        Extra attempts on timeouts, 429 and 5xx, with exponential backoff from 0.5 s.
    """

    def __init__(
        self,
        url: str | None = None,
        sources: Path | None = None,
        cache_path: Path | bool | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        retries: int = 4,
    ) -> None:
        from zoning.settings import get_settings

        settings = get_settings()
        self.sources = Path(sources or settings.sources)
        if cache_path is False:
            cache = AnswerCache(None)
        elif cache_path is None or cache_path is True:
            cache = AnswerCache(settings.cache / "geocode" / "answers.sqlite")
        else:
            cache = AnswerCache(Path(cache_path))
        base_url = url or settings.addok_url
        self.addok = AddokGeocoder(
            base_url,
            cache=cache,
            min_score=min_score,
            chunk_size=chunk_size,
            client=AddokClient(base_url, retries=retries),
        )

    @cached_property
    def communes(self) -> CommuneLocator:
        """La Poste commune points (store if built, else the sources folder)."""
        return CommuneLocator.load(self.sources)

    @cached_property
    def finess(self) -> FinessDirectory:
        """FINESS establishments: etalab stock files found in ``finess/``, then Eurostat."""
        from zoning.sources.finess import load_finess_directory

        directory = load_finess_directory(self.sources)
        table = directory.table
        missing = table[table["citycode"].isna()]
        codes = {
            number: self.communes.locate(postcode=row["postcode"], city=row["city"]).citycode
            for number, row in zip(missing.index, missing.to_dict("records"), strict=True)
        }
        import pandas as pd

        return directory.with_citycodes(pd.Series(codes, dtype=object))

    def _finess_step(self, query: PlaceQuery) -> tuple[GeocodeResult | None, str]:
        """FINESS result if the number is known with coordinates, else a note."""
        if not query.finess:
            return None, ""
        try:
            site = self.finess.get(query.finess)
        except (InvalidInputError, NotFoundError) as exc:
            return None, str(exc)
        if site.lon is None or site.lat is None:
            return None, f"FINESS {site.finess} sans coordonnées"
        return (
            GeocodeResult(
                lon=site.lon,
                lat=site.lat,
                precision="finess",
                source="finess",
                label=f"{site.name}, {site.address}",
                citycode=site.citycode,
            ),
            "",
        )

    def _finish(
        self, query: PlaceQuery, notes: list[str], ban: GeocodeResult | None
    ) -> GeocodeResult:
        """Keep a good addok answer, else fall back on the commune."""
        if ban is not None and ban.precision in ("address", "street"):
            return replace(ban, reason=" ; ".join([*notes, ban.reason]).strip(" ;"))
        if ban is not None and ban.reason:
            notes = [*notes, ban.reason]
        postcode, city = query.commune_hint()
        if query.citycode or postcode or city:
            commune = self.communes.locate(postcode=postcode, city=city, citycode=query.citycode)
            if commune.found:
                return replace(commune, reason=" ; ".join([*notes, commune.reason]))
            notes = [*notes, commune.reason]
        if ban is not None and ban.found:  # addok's own commune point
            return replace(ban, reason=" ; ".join(notes))
        if not notes:
            notes = ["ni adresse, ni numéro FINESS, ni commune fournis"]
        return GeocodeResult.failed(" ; ".join(notes))

    def geocode_one(
        self,
        address: str | None = None,
        finess: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        citycode: str | None = None,
    ) -> GeocodeResult:
        """Geocode one place (see :func:`zoning.locate.geocode.geocode_one`)."""
        query = PlaceQuery.of(address, finess, postcode, city, citycode)
        found, note = self._finess_step(query)
        if found is not None:
            return found
        notes = [note] if note else []
        ban = None
        if query.address:
            ban = self.addok.geocode(
                AddressQuery(query.address, query.postcode, query.city, query.citycode)
            )
        return self._finish(query, notes, ban)

    def geocode_many(
        self,
        queries: Sequence[PlaceQuery],
        progress: Callable[[int], None] | None = None,
    ) -> BatchOutcome:
        """Geocode a batch; never raises for a geocoder outage (see :class:`BatchOutcome`)."""
        firsts = [self._finess_step(q) for q in queries]
        need = [
            i for i, (q, (found, _)) in enumerate(zip(queries, firsts, strict=True))
            if found is None and q.address
        ]  # fmt: skip
        address_queries = [
            AddressQuery(queries[i].address, queries[i].postcode, queries[i].city,
                         queries[i].citycode)
            for i in need
        ]  # fmt: skip
        if progress:
            progress(len(queries) - len(need))
        error: str | None = None
        try:
            ban_results: list[GeocodeResult | None] = list(
                self.addok.geocode_many(address_queries, progress=progress)
            )
        except GeocoderUnavailableError as exc:
            error = str(exc)
            log.error("geocoder failed: %s", exc)
            ban_results = self.addok.cached_results(address_queries)
        ban_of = dict(zip(need, ban_results, strict=True))
        results = []
        for i, (query, (found, note)) in enumerate(zip(queries, firsts, strict=True)):
            if found is not None:
                results.append(found)
                continue
            notes = [note] if note else []
            if i in ban_of and ban_of[i] is None:
                results.append(
                    GeocodeResult.failed(
                        " ; ".join([*notes, "géocodeur indisponible : relancez pour compléter"])
                    )
                )
                continue
            results.append(self._finish(query, notes, ban_of.get(i)))
        return BatchOutcome(results, error)


_DEFAULT: dict[tuple[str, str, str], Geocoder] = {}


def default_geocoder() -> Geocoder:
    """A :class:`Geocoder` for the current settings, reused between calls."""
    from zoning.settings import get_settings

    settings = get_settings()
    key = (settings.addok_url, str(settings.sources), str(settings.cache))
    if key not in _DEFAULT:
        _DEFAULT[key] = Geocoder()
    return _DEFAULT[key]


def geocode_one(
    address: str | None = None,
    finess: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    citycode: str | None = None,
    *,
    geocoder: Geocoder | None = None,
) -> GeocodeResult:
    """Geocode one place: FINESS number, else address (BAN/addok), else commune.

    Parameters
    ----------
    address
        Free-text postal address (``"1 avenue Marc Aubrun 23000 Guéret"``).
    finess
        FINESS ET number (9 characters; a lost leading zero is restored).
    postcode, city
        Postal code and commune name: appended to the address for addok, and used
        for the commune fallback.
    citycode
        INSEE code of the commune: filters addok's answers, and used for the fallback.
    geocoder
        Reuse a configured :class:`Geocoder` (default: one for the current settings).

    Returns
    -------
    GeocodeResult
        Never raises for "not found": ``precision == "none"`` and ``reason`` say why.

    Raises
    ------
    GeocoderUnavailableError
        When an address had to be geocoded and the geocoder did not answer.
    """
    return (geocoder or default_geocoder()).geocode_one(address, finess, postcode, city, citycode)
