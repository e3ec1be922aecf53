"""Batches through ``/search/csv/``: thousands of real rows, outages, truncated answers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from zoning.locate.geocode import Geocoder, PlaceQuery
from zoning.locate.geocode._client import AddokClient
from zoning.locate.geocode.addok import AddressQuery
from zoning.locate.geocode.server import LocalGeocoder
from zoning.sources.manifest import load_manifest
from zoning.sources.postal import read_laposte

from .helpers import NA_DEPARTEMENTS, MakeGeocoder, metres


@pytest.fixture(scope="module")
def hospitals(_tables: Geocoder) -> pd.DataFrame:
    """The real Eurostat/FINESS hospitals, with their INSEE code (from La Poste)."""
    return _tables.finess.table.reset_index()


@pytest.fixture(scope="module")
def commune_rows(geo_sources: Path) -> pd.DataFrame:
    """Every 15th commune of La Poste's base (about 2 600 rows), by postcode and name."""
    source = load_manifest()["laposte"]
    table = read_laposte(source.path(geo_sources), source)
    return table.drop_duplicates("code").iloc[::15].reset_index(drop=True)


def hospital_queries(hospitals: pd.DataFrame) -> list[PlaceQuery]:
    return [
        PlaceQuery.of(
            address=f"{row['housenumber']} {row['street']}".strip(),
            postcode=row["postcode"],
            city=row["city"],
        )
        for row in hospitals.to_dict("records")
    ]


def test_several_thousand_rows_every_row_back_in_order(
    make_geocoder: MakeGeocoder, hospitals: pd.DataFrame, commune_rows: pd.DataFrame
) -> None:
    queries = hospital_queries(hospitals) + [
        PlaceQuery.of(postcode=r["postcode"], city=r["name"])
        for r in commune_rows.to_dict("records")
    ]
    assert len(queries) > 7000
    geocoder: Geocoder = make_geocoder()
    settled: list[int] = []
    outcome = geocoder.geocode_many(queries, progress=settled.append)
    assert outcome.error is None
    assert len(outcome.results) == len(queries)
    assert sum(settled) == len(queries)
    n = len(hospitals)
    hospital_results, commune_results = outcome.results[:n], outcome.results[n:]
    counts = Counter(r.precision for r in hospital_results)
    # Hospitals with a street: nearly all found at address or street level.
    assert (counts["address"] + counts["street"]) / n > 0.9, counts
    # In order: each hospital's answer is in its own commune (row i <-> answer i).
    same = sum(
        r.citycode == c
        for r, c in zip(hospital_results, hospitals["citycode"], strict=True)
        if r.precision in ("address", "street")
    )
    assert same / (counts["address"] + counts["street"]) > 0.98
    assert all(r.precision == "municipality" for r in commune_results)
    assert [r.citycode for r in commune_results] == list(commune_rows["code"])


def test_na_hospital_addresses_land_near_their_finess_point(
    make_geocoder: MakeGeocoder, hospitals: pd.DataFrame, geo_sources: Path
) -> None:
    """Addresses of the NA hospitals vs their FINESS coordinates, and vs IGN polygons.

    Caveat: the local geocoder's house numbers ARE those FINESS points, so an address
    hit is close by construction; the distance checks the text path (parsing, phonetic
    index, house numbers, CEDEX postcodes) and the commune fallback. The independent
    checks are the La Poste commune points and the IGN commune polygons.
    """
    na = hospitals[hospitals["finess"].str[:2].isin(NA_DEPARTEMENTS)].reset_index(drop=True)
    assert len(na) == 504
    geocoder: Geocoder = make_geocoder()
    results = geocoder.geocode_many(hospital_queries(na)).results
    assert all(r.found for r in results)
    distances = [
        metres(r.lon, r.lat, lon, lat)
        for r, lon, lat in zip(results, na["lon"], na["lat"], strict=True)
        if r.lon is not None and r.lat is not None
    ]
    within_1km = sum(d <= 1000 for d in distances) / len(na)
    precisions = Counter(r.precision for r in results)
    print(f"NA hospitals: {within_1km:.1%} within 1 km; precisions {dict(precisions)}")
    assert within_1km > 0.95

    # Independent: La Poste's commune reference points vs the FINESS points.
    points = [geocoder.communes.by_code(c) for c in na["citycode"]]
    commune_d = [
        metres(p.lon, p.lat, lon, lat)
        for p, lon, lat in zip(points, na["lon"], na["lat"], strict=True)
        if p.lon is not None and p.lat is not None
    ]
    within_5km = sum(d <= 5000 for d in commune_d) / len(na)
    print(f"NA hospitals: La Poste commune point within 5 km for {within_5km:.1%}")
    assert within_5km > 0.9

    # Independent: the IGN commune polygon that contains each FINESS point.
    import geopandas as gpd

    folder = geo_sources / "communes_france_geojson_2018"
    polygons = pd.concat(
        [gpd.read_file(f)[["code", "geometry"]] for d in NA_DEPARTEMENTS
         for f in folder.glob(f"communes-{d}-*.geojson")]
    )  # fmt: skip
    pts = gpd.GeoDataFrame(
        na[["finess"]], geometry=gpd.points_from_xy(na["lon"], na["lat"]), crs=4326
    )
    joined = gpd.sjoin(pts, polygons.set_crs(4326, allow_override=True), predicate="within")
    ign = dict(zip(joined["finess"], joined["code"], strict=True))
    agree = sum(ign.get(f) == r.citycode for f, r in zip(na["finess"], results, strict=True))
    print(f"NA hospitals: geocoded INSEE code = IGN polygon of the FINESS point: {agree}/504")
    assert agree / len(na) > 0.95


def test_geocoder_killed_mid_run_loses_nothing_and_resumes(
    make_geocoder: MakeGeocoder,
    addok_server: LocalGeocoder,
    hospitals: pd.DataFrame,
    tmp_path: Path,
) -> None:
    """The real HTTP server is stopped after the 3rd chunk, then restarted."""
    queries = hospital_queries(hospitals.iloc[:2000])
    cache = tmp_path / "resume.sqlite"
    geocoder: Geocoder = make_geocoder(cache_path=cache, chunk_size=100)
    geocoder.addok.parallel = 1
    geocoder.addok.client = AddokClient(addok_server.url, retries=2, backoff=0.05)
    chunks = 0

    def kill_after_three(_n: int) -> None:
        nonlocal chunks
        chunks += 1
        if chunks == 4:  # 1st call: rows settled without addok; then one per chunk
            addok_server.stop_http()

    try:
        outcome = geocoder.geocode_many(queries, progress=kill_after_three)
    finally:
        addok_server.start_http()
    assert outcome.error is not None and "relancez" in outcome.error
    match = re.search(r"(\d+) adresse\(s\) sur (\d+)", outcome.error)
    assert match, outcome.error
    cached, distinct = int(match.group(1)), int(match.group(2))
    assert distinct <= len(set(queries))  # identical queries are sent once
    # The chunk in flight when the server went down may have finished: at least three.
    assert 300 <= cached < distinct
    assert len(outcome.results) == len(queries)  # every row is there...
    unfinished = [r for r in outcome.results if "géocodeur indisponible" in r.reason]
    assert unfinished and all(not r.found for r in unfinished)  # ...and says why
    assert outcome.unfinished == len(unfinished)

    sent: list[int] = []
    again: Geocoder = make_geocoder(cache_path=cache, chunk_size=100)
    real_post = again.addok._post

    def counting_post(chunk: list[tuple[str, AddressQuery]]) -> list[dict[str, str]]:
        sent.append(len(chunk))
        return real_post(chunk)

    again.addok._post = counting_post  # type: ignore[method-assign]
    resumed = again.geocode_many(queries)
    assert resumed.error is None and resumed.unfinished == 0
    assert sum(sent) == distinct - cached  # only what was missing was sent
    for before, after in zip(outcome.results, resumed.results, strict=True):
        if "géocodeur indisponible" not in before.reason:
            assert before == after


def test_timeout_mid_batch_is_real(
    make_geocoder: MakeGeocoder, addok_server: LocalGeocoder, hospitals: pd.DataFrame
) -> None:
    """A real client timeout (1 ms) from the 3rd chunk on: stops cleanly, keeps the rest."""
    queries = hospital_queries(hospitals.iloc[2000:2600])
    geocoder: Geocoder = make_geocoder(chunk_size=100)
    geocoder.addok.parallel = 1
    geocoder.addok.client = AddokClient(addok_server.url, retries=1, backoff=0.01)
    calls = 0

    def shrink_timeout(_n: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            geocoder.addok.client.timeout = 0.001

    outcome = geocoder.geocode_many(queries, progress=shrink_timeout)
    assert outcome.error is not None and "Timeout" in outcome.error
    assert len(outcome.results) == len(queries)
    assert 0 < outcome.unfinished <= len(queries) - 200


def test_truncated_csv_answer_is_resent_MOCK_truncation(
    make_geocoder: MakeGeocoder, hospitals: pd.DataFrame
) -> None:
    """MOCK: the public API cuts large uploads short; our addok never does, so the real
    answer is cut here by a wrapper (the geocoding itself is real)."""
    queries = hospital_queries(hospitals.iloc[2600:3000])
    geocoder: Geocoder = make_geocoder(chunk_size=400)
    client = geocoder.addok.client
    real = client.search_csv
    uploads: list[int] = []

    def truncating(csv_text: str, columns: list[str], filters: dict[str, str] | None = None) -> str:
        answer = real(csv_text, columns, filters)
        uploads.append(csv_text.count("\n") - 1)
        lines = answer.splitlines()
        return "\n".join(lines[:151]) + "\n"  # header + at most 150 rows, like a size cap

    client.search_csv = truncating  # type: ignore[method-assign]
    outcome = geocoder.geocode_many(queries)
    assert outcome.error is None
    assert uploads[0] > 150 and len(uploads) >= 3  # the rest was sent again, twice
    reference = make_geocoder(cache_path=Path(str(geocoder.addok.cache.path) + ".ref"))
    assert outcome.results == reference.geocode_many(queries).results


def test_429_and_503_are_retried_FAULT_PROXY(
    make_geocoder: MakeGeocoder, addok_server: LocalGeocoder, hospitals: pd.DataFrame
) -> None:
    """FAULT PROXY: our addok has no rate limit, so a loopback proxy in front of it
    answers 429 (Retry-After: 0), then 503, before forwarding to the real server."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import requests

    faults = [429, 503]
    seen: list[int] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if faults:
                status = faults.pop(0)
                seen.append(status)
                self.send_response(status)
                self.send_header("Retry-After", "0")
                self.end_headers()
                return
            upstream = requests.post(
                addok_server.url + self.path,
                data=body,
                headers={"Content-Type": self.headers["Content-Type"]},
                timeout=60,
            )
            seen.append(upstream.status_code)
            self.send_response(upstream.status_code)
            self.send_header("Content-Length", str(len(upstream.content)))
            self.end_headers()
            self.wfile.write(upstream.content)

        def log_message(self, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        geocoder: Geocoder = make_geocoder(url=url, chunk_size=1000)
        geocoder.addok.client = AddokClient(url, retries=3, backoff=0.01)
        queries = hospital_queries(hospitals.iloc[3000:3100])
        outcome = geocoder.geocode_many(queries)
    finally:
        proxy.shutdown()
    assert seen == [429, 503, 200]
    assert outcome.error is None
    assert sum(r.precision == "address" for r in outcome.results) > 50
