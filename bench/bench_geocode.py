"""Benchmark: addok batch geocoding (``/search/csv`` chunks) vs one request per row.

Starts its own local addok (private Redis + gunicorn on 127.0.0.1) built from the real
source files, then geocodes the same real queries (FINESS hospital addresses and
commune names) both ways, cache disabled, and prints rows/s and the ratio. No network
beyond loopback.

Run::

    python bench/bench_geocode.py                      # sources: ../shared/data
    python bench/bench_geocode.py --rows 5000 --sources /path/to/data
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zoning.locate.geocode._client import AddokClient
from zoning.locate.geocode.addok import DEFAULT_CHUNK_SIZE, AddokGeocoder, AddressQuery
from zoning.locate.geocode.cache import AnswerCache
from zoning.locate.geocode.documents import build_documents
from zoning.locate.geocode.server import LocalGeocoder

REPO = Path(__file__).resolve().parents[1]


def real_queries(sources: Path, rows: int) -> list[AddressQuery]:
    """Hospital addresses (Eurostat/FINESS), then commune names (La Poste), ``rows`` in all."""
    from zoning.sources.finess_files import read_eurostat_hospitals
    from zoning.sources.manifest import load_manifest
    from zoning.sources.postal import read_laposte

    manifest = load_manifest()
    hospitals = read_eurostat_hospitals(
        manifest["finess_hospitals"].path(sources), manifest["finess_hospitals"]
    )
    queries = [
        AddressQuery(f"{h['housenumber']} {h['street']}".strip(), h["postcode"], h["city"])
        for h in hospitals.to_dict("records")
        if h["street"]
    ]
    postal = read_laposte(manifest["laposte"].path(sources), manifest["laposte"])
    communes = postal.drop_duplicates("code").sample(frac=1.0, random_state=0)
    queries += [AddressQuery(c["name"], c["postcode"]) for c in communes.to_dict("records")]
    return queries[:rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sources",
        type=Path,
        default=Path(os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data"),
    )
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    queries = real_queries(args.sources.resolve(), args.rows)
    with tempfile.TemporaryDirectory(prefix="bench-geocode-") as tmp:
        docs = Path(tmp) / "documents.ndjson"
        t0 = time.perf_counter()
        stats = build_documents(args.sources.resolve(), docs)
        with LocalGeocoder(docs, workers=args.workers) as server:
            setup = time.perf_counter() - t0
            print(f"local addok: {stats.total} documents, ready in {setup:.1f} s ({server.url})")
            print(f"queries: {len(queries)} real rows (hospital addresses + commune names)")

            timings: dict[str, float] = {}
            requests_sent: dict[str, int] = {}
            for chunk, parallel in ((args.chunk_size, 1), (args.chunk_size, args.workers),
                                    (250, args.workers)):  # fmt: skip
                geocoder = AddokGeocoder(
                    server.url,
                    cache=AnswerCache(None),
                    chunk_size=chunk,
                    parallel=parallel,
                )
                t = time.perf_counter()
                results = geocoder.geocode_many(queries)
                mode = f"/search/csv {chunk} rows x{parallel}"
                timings[mode] = time.perf_counter() - t
                requests_sent[mode] = -(-len(queries) // chunk)
            found = sum(r.found for r in results)

            client = AddokClient(server.url)
            t = time.perf_counter()
            for q in queries:
                client.search(q.text, limit=1)
            timings["one request per row"] = time.perf_counter() - t
            requests_sent["one request per row"] = len(queries)

            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                t = time.perf_counter()
                list(pool.map(lambda q: client.search(q.text, limit=1), queries))
                mode = f"one request per row x{args.workers} threads"
                timings[mode] = time.perf_counter() - t
                requests_sent[mode] = len(queries)

    baseline = timings["one request per row"]
    print(f"{'mode':<36}{'requests':>9}{'seconds':>9}{'rows/s':>10}{'ratio':>8}")
    for mode, seconds in timings.items():
        rate = len(queries) / seconds
        print(
            f"{mode:<36}{requests_sent[mode]:>9}{seconds:>9.2f}{rate:>10.0f}"
            f"{baseline / seconds:>7.1f}x"
        )
    print(f"(ratio vs one request per row, sequential; {found}/{len(queries)} rows with a point)")


if __name__ == "__main__":
    main()
