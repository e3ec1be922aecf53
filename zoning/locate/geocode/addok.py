"""Geocoding addresses with addok (the BAN engine): one at a time or by CSV batches.

Answers are cached on disk, batches go in chunks whose rows are all checked to have
come back (the public service truncates large uploads), and a chunk that fails after
every retry stops the run without losing the chunks already answered: they are in the
cache, so running again resumes where it stopped.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from zoning.errors import GeocoderUnavailableError
from zoning.locate.geocode._client import AddokClient
from zoning.locate.geocode.cache import AnswerCache, cache_key
from zoning.locate.geocode.privacy import OFF_REASON, check_url, is_off, notice_before_sending
from zoning.locate.geocode.result import GeocodeResult, Precision

log = logging.getLogger(__name__)

#: Score under which an addok answer is refused (addok scores are in [0, 1]).
DEFAULT_MIN_SCORE = 0.5
#: Rows per ``/search/csv`` request: a few thousand, so that a file of 10 000 addresses
#: costs a handful of requests to the public service (50 requests/s per IP) while one
#: answer stays a few hundred kilobytes (the Géoplateforme documents no size limit).
DEFAULT_CHUNK_SIZE = 2000

_PRECISION_OF_TYPE: dict[str, Precision] = {
    "housenumber": "address",
    "street": "street",
    "locality": "street",
    "municipality": "municipality",
}


@dataclass(frozen=True)
class AddressQuery:
    """One address to geocode: free text plus optional postal code, city and INSEE code.

    ``citycode`` and ``postcode_filter`` are addok filters (only answers in that commune
    or postal code). The caller resolves the stated commune first and passes its INSEE
    code as ``citycode`` (so a CEDEX or mistyped postal code never excludes the right
    answer); the postal code and the city given apart are appended to the text.
    """

    address: str
    postcode: str = ""
    city: str = ""
    citycode: str = ""
    postcode_filter: str = ""

    @property
    def text(self) -> str:
        """The text sent to addok."""
        parts = [self.address, self.postcode, self.city]
        return " ".join(p.strip() for p in parts if p and p.strip())

    @property
    def filters(self) -> dict[str, str]:
        """addok filters of this query."""
        pairs = (("citycode", self.citycode), ("postcode", self.postcode_filter))
        return {name: value.strip() for name, value in pairs if value.strip()}


def _answer_from_feature(feature: dict[str, Any] | None) -> dict[str, Any]:
    if not feature:
        return {}
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    return {
        "lon": float(lon),
        "lat": float(lat),
        "label": props.get("label", ""),
        "score": float(props.get("score", 0.0)),
        "type": props.get("type", ""),
        "citycode": props.get("citycode") or None,
    }


def _answer_from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    if not row.get("latitude") or not row.get("longitude"):
        return {}
    return {
        "lon": float(row["longitude"]),
        "lat": float(row["latitude"]),
        "label": row.get("result_label", ""),
        "score": float(row.get("result_score") or 0.0),
        "type": row.get("result_type", ""),
        "citycode": row.get("result_citycode") or None,
    }


def interpret(answer: dict[str, Any], min_score: float = DEFAULT_MIN_SCORE) -> GeocodeResult:
    """Turn an addok answer into a result, refusing weak or unusable ones with a reason.

    Parameters
    ----------
    answer
        ``{lon, lat, label, score, type, citycode}`` or ``{}`` (no answer).
    min_score
        Answers below this score are refused.

    Returns
    -------
    GeocodeResult
        Precision ``address``/``street``, ``municipality`` (addok only found the
        commune: reason says so), or ``none`` with the reason.
    """
    if not answer:
        return GeocodeResult.failed("adresse introuvable dans la base d'adresses")
    score = round(float(answer["score"]), 3)
    label = answer.get("label", "")
    if score < min_score:
        return GeocodeResult.failed(
            f"adresse non reconnue : meilleure proposition « {label} » "
            f"avec un score de {score:.2f} (minimum {min_score:.2f})"
        )
    precision = _PRECISION_OF_TYPE.get(answer.get("type", ""))
    if precision is None:
        return GeocodeResult.failed(
            f"réponse inutilisable : « {label} » de type « {answer.get('type')} »"
        )
    reason = ""
    if precision == "municipality":
        reason = "seule la commune a été reconnue, pas l'adresse : point de la commune"
    return GeocodeResult(
        lon=answer["lon"],
        lat=answer["lat"],
        precision=precision,
        source="ban",
        score=score,
        label=label,
        citycode=answer.get("citycode"),
        reason=reason,
    )


class AddokGeocoder:
    """Geocode addresses through an addok server, with an on-disk cache.

    Parameters
    ----------
    base_url
        addok base URL (``get_settings().addok_url`` by default).
    cache
        Answer cache (``None``: an in-memory one, forgotten at exit).
    min_score
        Threshold of :func:`interpret`.
    chunk_size
        Rows per ``/search/csv`` request.
    client
        HTTP client (built from ``base_url`` by default).
    parallel
        Chunks in flight at once (addok serves one request per worker).
    """

    def __init__(
        self,
        base_url: str | None = None,
        cache: AnswerCache | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        client: AddokClient | None = None,
        parallel: int = 2,
    ) -> None:
        if base_url is None:
            from zoning.settings import get_settings

            base_url = get_settings().addok_url
        self.base_url = check_url(base_url).rstrip("/")
        #: ``ZONING_ADDOK_URL=off``: no request is ever made, every address is refused.
        self.off = is_off(self.base_url)
        self.client = client or AddokClient(self.base_url)
        self.cache = cache if cache is not None else AnswerCache(None)
        self.min_score = min_score
        self.chunk_size = chunk_size
        self.parallel = max(1, parallel)

    def _key(self, query: AddressQuery) -> str:
        return cache_key(self.base_url, query.text, query.filters)

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """Geocode one address with ``/search`` (cached)."""
        if self.off:
            return GeocodeResult.failed(OFF_REASON)
        key = self._key(query)
        cached = self.cache.get_many([key])
        if key in cached:
            return interpret(cached[key], self.min_score)
        if not query.text:
            return GeocodeResult.failed("adresse vide")
        notice_before_sending(self.base_url)
        data = self.client.search(query.text, limit=1, **query.filters)
        features = data.get("features") or []
        answer = _answer_from_feature(features[0] if features else None)
        self.cache.put_many({key: answer})
        return interpret(answer, self.min_score)

    def geocode_many(
        self,
        queries: Sequence[AddressQuery],
        progress: Callable[[int], None] | None = None,
    ) -> list[GeocodeResult]:
        """Geocode many addresses with ``/search/csv`` in chunks; one result per query.

        Identical queries are sent once; cached ones are not sent.

        Parameters
        ----------
        queries
            The addresses, in the caller's order.
        progress
            Called with the number of queries settled after each chunk (e.g. a tqdm
            ``update``).

        Raises
        ------
        GeocoderUnavailableError
            When a chunk fails after every retry. Chunks answered before are cached:
            calling again resumes with the rest. The message says how many are done.
        """
        if self.off:
            return [self._off_result(q) for q in queries]
        keys = [self._key(q) for q in queries]
        answers = self.cache.get_many(keys)
        todo: dict[str, AddressQuery] = {}
        for key, query in zip(keys, queries, strict=True):
            if key not in answers and key not in todo and query.text:
                todo[key] = query
        settled = sum(1 for k in keys if k not in todo)
        if progress and settled:
            progress(settled)
        pending = list(todo.items())
        log.info("%s queries, %s cached, %s to send", len(queries), len(answers), len(pending))
        if pending:
            notice_before_sending(self.base_url)
        chunks = [
            pending[start : start + self.chunk_size]
            for start in range(0, len(pending), self.chunk_size)
        ]
        done = 0
        # Chunks go ``parallel`` at a time (one per addok worker); answers are cached in
        # this thread as each chunk completes, so an outage keeps every finished chunk.
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            futures = [pool.submit(self._send_chunk, chunk) for chunk in chunks]
            stored: set[int] = set()

            def store(index: int) -> None:
                got = futures[index].result()
                self.cache.put_many(got)
                answers.update(got)
                stored.add(index)
                nonlocal done
                done += len(got)
                if progress:
                    progress(sum(1 for k in keys if k in got))

            try:
                index_of = {id(f): i for i, f in enumerate(futures)}
                for future in as_completed(futures):
                    store(index_of[id(future)])
            except GeocoderUnavailableError as exc:
                for future in futures:
                    future.cancel()
                for i, future in enumerate(futures):  # keep chunks that finished meanwhile
                    finished = future.done() and not future.cancelled()
                    if i not in stored and finished and future.exception() is None:
                        store(i)
                raise GeocoderUnavailableError(
                    f"{exc} ; {done} adresse(s) sur {len(pending)} géocodée(s) et gardée(s) "
                    "en cache : relancez pour reprendre"
                ) from exc
        results = []
        for key, query in zip(keys, queries, strict=True):
            if not query.text:
                results.append(GeocodeResult.failed("adresse vide"))
            else:
                results.append(interpret(answers[key], self.min_score))
        return results

    def cached_results(self, queries: Sequence[AddressQuery]) -> list[GeocodeResult | None]:
        """Results already in the cache, ``None`` for the queries still to send."""
        if self.off:
            return [self._off_result(q) for q in queries]
        keys = [self._key(q) for q in queries]
        answers = self.cache.get_many(keys)
        return [
            interpret(answers[k], self.min_score) if k in answers
            else (None if q.text else GeocodeResult.failed("adresse vide"))
            for k, q in zip(keys, queries, strict=True)
        ]  # fmt: skip

    @staticmethod
    def _off_result(query: AddressQuery) -> GeocodeResult:
        return GeocodeResult.failed(OFF_REASON if query.text else "adresse vide")

    def _send_chunk(self, chunk: list[tuple[str, AddressQuery]]) -> dict[str, dict[str, Any]]:
        """Send one chunk; re-send rows that did not come back (truncated answers)."""
        got: dict[str, dict[str, Any]] = {}
        remaining = list(chunk)
        stalled = 0
        while remaining and stalled < 3:
            rows = self._post(remaining)
            for (key, _query), row in zip(remaining, rows, strict=False):
                got[key] = _answer_from_csv_row(row)
            if len(rows) < len(remaining):
                log.warning(
                    "addok answered %s rows out of %s: sending the rest again",
                    len(rows),
                    len(remaining),
                )
            stalled = stalled + 1 if not rows else 0
            remaining = remaining[len(rows) :]
        if remaining:
            raise GeocoderUnavailableError(
                f"le géocodeur {self.base_url} renvoie des réponses tronquées "
                f"({len(remaining)} ligne(s) sans réponse après 3 envois sans progrès)"
            )
        return got

    def _post(self, chunk: list[tuple[str, AddressQuery]]) -> list[dict[str, str]]:
        """POST a chunk and check the answer row by row (our ``_row`` id must match)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        names = sorted({name for _k, q in chunk for name in q.filters})
        writer.writerow(["_row", "q", *(f"{name}_filter" for name in names)])
        for i, (_key, query) in enumerate(chunk):
            writer.writerow([str(i), query.text, *(query.filters.get(n, "") for n in names)])
        text = self.client.search_csv(
            buffer.getvalue(),
            columns=["q"],
            filters={name: f"{name}_filter" for name in names} or None,
        )
        rows = list(csv.DictReader(io.StringIO(text)))
        for i, row in enumerate(rows):
            if row.get("_row") != str(i):
                # Rows out of order or mangled: keep only the consistent prefix.
                log.warning("addok CSV answer out of step at row %s", i)
                return rows[:i]
        return rows
