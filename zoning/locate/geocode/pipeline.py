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
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from pathlib import Path

from zoning.errors import GeocoderUnavailableError, InvalidInputError, NotFoundError, ZoningError
from zoning.locate.finess import finess_site
from zoning.locate.geocode._client import AddokClient
from zoning.locate.geocode.addok import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MIN_SCORE,
    AddokGeocoder,
    AddressQuery,
)
from zoning.locate.geocode.cache import AnswerCache
from zoning.locate.geocode.commune import CommuneLocator
from zoning.locate.geocode.query import BatchOutcome, PlaceQuery, StatedCommune
from zoning.locate.geocode.result import OUTSIDE_STATED, GeocodeResult
from zoning.sources.finess import FinessDirectory

log = logging.getLogger(__name__)


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
        Extra attempts on timeouts, 429 and 5xx, with exponential backoff from 0.5 s
        (``Retry-After`` obeyed); default: the settings (``ZONING_HTTP_RETRIES``).
    store
        Zoning store used to map old commune codes (default: the settings' store,
        opened when first needed).
    """

    def __init__(
        self,
        url: str | None = None,
        sources: Path | None = None,
        cache_path: Path | bool | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        retries: int | None = None,
        store: object | None = None,
    ) -> None:
        from zoning.settings import get_settings

        if store is not None:
            self.__dict__["_store"] = store

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
            site = finess_site(self.finess, query.finess)
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

    @cached_property
    def _store(self) -> object | None:
        """The zoning store of the settings if one is built (maps old commune codes)."""
        from zoning.store import ZoningStore

        try:
            return ZoningStore.open()
        except (ZoningError, OSError) as exc:
            log.debug("no store to map old commune codes: %s", exc)
            return None

    def _current_code(self, query: PlaceQuery) -> tuple[PlaceQuery, str]:
        """Map a stated INSEE code unknown to La Poste (an old code) to today's commune."""
        if not query.citycode or query.citycode in self.communes.points or self._store is None:
            return query, ""
        from zoning.locate.lookup import resolve_code

        try:
            codes, notes = resolve_code(self._store, query.citycode)  # type: ignore[arg-type]
        except ZoningError:
            return query, ""
        if len(codes) != 1 or codes[0] not in self.communes.points:
            return query, ""
        return replace(query, citycode=codes[0]), " ; ".join(notes)

    def stated_commune(self, query: PlaceQuery) -> StatedCommune | None:
        """The commune the user gave (INSEE code, or postal code and/or name, read from
        the address text when no column gives them), or ``None`` when none was given.

        An INSEE code wins; a postal code and a name are resolved through La Poste's
        table (a CEDEX or mistyped postal code is resolved by the name, as the commune
        fallback does), so that the filter sent to addok is the commune's own code.
        """
        if query.citycode:
            return StatedCommune(
                frozenset({query.citycode}), query.citycode, {"citycode": query.citycode}
            )
        postcode, city = query.commune_hint()
        if not postcode and not city:
            return None
        label = " ".join(p for p in (postcode, city) if p)
        found = self.communes.locate(postcode=postcode, city=city)
        if found.citycode:
            return StatedCommune(frozenset({found.citycode}), label, {"citycode": found.citycode})
        codes = frozenset(self.communes.codes_for(postcode or None, city or None))
        if not codes and postcode and city:
            codes = frozenset(self.communes.codes_for(postcode, None))
        if not codes:
            return None  # nothing known to check against: the fallback says why
        known_postcode = postcode and self.communes.codes_for(postcode, None)
        return StatedCommune(codes, label, {"postcode": postcode} if known_postcode else {})

    def _address_query(self, query: PlaceQuery, stated: StatedCommune | None) -> AddressQuery:
        filters = stated.filters if stated else {}
        return AddressQuery(
            query.address,
            query.postcode,
            query.city,
            filters.get("citycode", ""),
            filters.get("postcode", ""),
        )

    def _same_commune(self, stated: StatedCommune, code: str) -> bool:
        """Whether an answer's INSEE code is the stated commune, old codes mapped."""
        if code in stated.codes:
            return True
        store = self._store
        if store is None:
            return False
        from zoning.locate.lookup import resolve_code

        # The geocoder answers in today's codes (La Boixe, 16393, since 2025), the user may
        # state a 2022 commune (Montignac-Charente, 16226): both are compared as the
        # communes of the store's vintage they cover.
        today = date.today().year

        def current(c: str) -> set[str]:
            try:
                return set(resolve_code(store, c, vintage=today)[0])  # type: ignore[arg-type]
            except ZoningError:
                return {c}

        wanted = set().union(*(current(c) for c in stated.codes))
        return bool(current(code) & wanted)

    def _commune_name(self, code: str) -> str:
        """The commune's name as the COG writes it (store), else La Poste's (capitals)."""
        store = self._store
        keyed = getattr(store, "keyed", None)
        commune = keyed.commune(code) if keyed is not None else None
        if commune:
            return str(commune["name"])
        point = self.communes.points.get(code)
        return point.name if point else code

    def _checked(
        self, ban: GeocodeResult | None, stated: StatedCommune | None
    ) -> GeocodeResult | None:
        """Refuse an addok answer outside the stated commune (the fallback takes over)."""
        if ban is None or not ban.found or stated is None:
            return ban
        if ban.citycode and self._same_commune(stated, ban.citycode):
            return ban
        if ban.citycode:
            where = f"{self._commune_name(ban.citycode)} ({ban.citycode})"
        else:
            where = f"« {ban.label} » (commune inconnue)"
        return GeocodeResult.failed(
            f"adresse trouvée à {where}, {OUTSIDE_STATED} ({stated.label}) : "
            "commune retenue, à vérifier"
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
        query, mapped = self._current_code(PlaceQuery.of(address, finess, postcode, city, citycode))
        found, note = self._finess_step(query)
        if found is not None:
            return found
        notes = [n for n in (note, mapped) if n]
        ban = None
        if query.address:
            stated = self.stated_commune(query)
            ban = self._checked(self.addok.geocode(self._address_query(query, stated)), stated)
        return self._finish(query, notes, ban)

    def geocode_many(
        self,
        queries: Sequence[PlaceQuery],
        progress: Callable[[int], None] | None = None,
    ) -> BatchOutcome:
        """Geocode a batch; never raises for a geocoder outage (see :class:`BatchOutcome`)."""
        mapped = [self._current_code(q) for q in queries]
        queries = [q for q, _ in mapped]
        firsts = [self._finess_step(q) for q in queries]
        need = [
            i for i, (q, (found, _)) in enumerate(zip(queries, firsts, strict=True))
            if found is None and q.address
        ]  # fmt: skip
        stated = {i: self.stated_commune(queries[i]) for i in need}
        address_queries = [self._address_query(queries[i], stated[i]) for i in need]
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
        ban_of = {
            i: None if result is None else self._checked(result, stated[i])
            for i, result in zip(need, ban_results, strict=True)
        }
        results = []
        for i, (query, (found, note)) in enumerate(zip(queries, firsts, strict=True)):
            if found is not None:
                results.append(found)
                continue
            notes = [n for n in (note, mapped[i][1]) if n]
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
