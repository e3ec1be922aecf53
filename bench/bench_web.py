"""The web application under load: /api/check latency, first render, a 1 000-row upload.

Usage::

    python bench/bench_web.py [--store PATH] [--workers 2] [--clients 50] [--seconds 20]

Starts ``zoning serve`` on a free loopback port (no other network), then measures:

* ``GET /api/check`` with ``--clients`` concurrent keep-alive clients (wrk, in C, so that the
  load generator does not eat the two cores it measures; httpx when wrk is absent) over a mix of
  queries (INSEE codes, old codes, postal code + name, names, points): p50 / p95 / p99
  and requests per second; against what a user would otherwise run, one cold
  ``zoning check`` process per place (ratio = cold CLI / web p50);
* the home page's first contentful paint in headless Chromium (other hosts blocked);
* ``POST /api/batch`` of 1 000 rows (the example list's 22 rows repeated with new
  references: synthetic, labelled so) against ``zoning batch`` on the same file.

The load average is printed: the machine is shared, figures move with it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
ZONING = Path(sys.executable).parent / "zoning"
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"
QUERIES = [  # the first-run warm-up and the httpx fallback: one of each kind
    "23096",
    "23121",
    "33000 Bordeaux",
    "Guéret (23)",
    "Limoges",
    "1.87113, 46.16497",
]
DATE = "2023-11-01"  # inside the 2022 decree: every answer has a class
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("ZONING_BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %.3f %.3f %.3f %.3f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def _query_mix(store: str | None, region: str = "75") -> list[str]:
    """What instructors type, for every commune of the region: its code, « CP nom »,
    « nom (dd) », the La Poste point « lon, lat », and the codes of communes merged into
    it. Thousands of distinct queries, so that no cache of answers flatters the figures.
    Only queries the library answers (in process, before the server starts) are kept."""
    import sqlite3

    from zoning.errors import ZoningError
    from zoning.web import services

    handle = services.open_store(Path(store) if store else None)
    db = sqlite3.connect(f"file:{handle.path / 'lookup.sqlite'}?mode=ro", uri=True)
    communes = db.execute(
        "SELECT code, name, departement FROM communes WHERE region = ?", [region]
    ).fetchall()
    codes = {code for code, _, _ in communes}
    mix: list[str] = []
    for code, name, dep in communes:
        mix += [code, f"{name} ({dep})"]
    for code, name, postcode, lat, lon in db.execute(
        "SELECT code, name, postcode, lat, lon FROM postal WHERE line5 = ''"
    ):
        if code in codes:
            mix += [f"{postcode} {name.title()}", f"{lon:.5f}, {lat:.5f}"]
    mix += [
        old
        for (old, new) in db.execute(
            "SELECT old_code, new_code FROM code_map WHERE date != '' AND old_code != new_code"
        )
        if new in codes
    ]
    on = dt.date.fromisoformat(DATE)
    kept = []
    for q in mix:
        if services.needs_network(q):  # the geocoder is another benchmark (bench_geocode)
            continue
        try:
            services.check(handle, q, on)
        except ZoningError:
            continue
        kept.append(q)
    random.Random(14).shuffle(kept)
    return kept


ERRORS: list[str] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(store: str | None, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ)
    if store:
        env["ZONING_STORE"] = store
    process = subprocess.Popen(
        [str(ZONING), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("zoning serve did not start")


def _load_wrk(url: str, queries: list[str], clients: int, seconds: int) -> dict[str, float]:
    """``clients`` keep-alive connections, each sending its next request as soon as the
    last one is answered (closed loop, no think time: harsher than 50 people)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = Path(tmp) / "paths.txt"
        paths.write_text(
            "".join(
                "/api/check?" + urllib.parse.urlencode({"q": q, "date": DATE}) + "\n"
                for q in queries
            ),
            encoding="utf-8",
        )
        script = Path(tmp) / "mix.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", str(script), url],
            env={**os.environ, "ZONING_BENCH_PATHS": str(paths)},
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if not found:
        raise SystemExit(f"wrk: {done.stdout} {done.stderr}")
    fields = found.group(1).split()
    requests, micros = int(fields[0]), int(fields[1])
    return {
        "requests": requests,
        "rps": requests / (micros / 1e6),
        "errors": sum(int(f) for f in fields[2:7]),
        "p50": float(fields[7]),
        "p95": float(fields[8]),
        "p99": float(fields[9]),
        "max": float(fields[10]),
    }


async def _load(url: str, clients: int, total: int, queries: list[str]) -> list[float]:
    """The same load from Python (httpx): when wrk is absent, and for one client."""
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(queries[i % len(queries)])
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                q = queue.get_nowait()
                start = time.perf_counter()
                try:
                    answer = await client.get("/api/check", params={"q": q, "date": DATE})
                except httpx.TransportError as exc:  # counted and shown, not hidden
                    ERRORS.append(f"{type(exc).__name__} after {time.perf_counter() - start:.2f} s")
                    continue
                latencies.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    raise SystemExit(f"{q}: HTTP {answer.status_code} {answer.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _cold_cli(store: str | None, n: int = 5) -> float:
    args = ["--store", store] if store else []
    times = []
    for code in ["23096", "33063", "87085", "19272", "16015"][:n]:
        start = time.perf_counter()
        subprocess.run(
            [str(ZONING), "check", "--commune", code, "--date", "2023-11-01", *args],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first_paint(url: str) -> float | None:
    sys.path.insert(0, str(REPO / "tests" / "map"))
    from map_browser import chromium, chromium_available

    if not chromium_available():
        return None
    block = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
    paints = []
    with chromium(extra_flags=[block]) as driver:
        for _ in range(3):
            driver.get(url + "/?q=23096&date=2023-11-01")
            time.sleep(0.3)
            paint = driver.execute_script(
                "var p = performance.getEntriesByName('first-contentful-paint')[0];"
                "return p ? p.startTime : null;"
            )
            if paint is not None:
                paints.append(paint / 1000)
    return statistics.median(paints) if paints else None


def _thousand_rows(folder: Path) -> Path:
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8")), delimiter=";"))
    header, body = rows[0], rows[1:]
    out = folder / "synthetique-1000.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for i in range(1000):
            row = list(body[i % len(body)])
            row[0] = f"SYN{i:04d}"  # synthetic: the example's rows repeated
            writer.writerow(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="httpx fallback only")
    parser.add_argument("--seconds", type=int, default=20, help="of each wrk round")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    queries = _query_mix(args.store)
    print(
        f"query mix: {len(queries)} distinct queries (codes, old codes, « CP nom », "
        f"« nom (dd) », points) over Nouvelle-Aquitaine, date {DATE}"
    )
    process, url = _start(args.store, args.workers)
    try:
        asyncio.run(_load(url, 10, 2 * len(queries), queries))  # every worker warm
        single = asyncio.run(_load(url, 1, 500, queries))
        s50, s95 = (_pct(single, p) * 1000 for p in (50, 95))
        print(f"GET /api/check, 1 client, 500 requests: p50 {s50:.1f} ms, p95 {s95:.1f} ms")
        if shutil.which("wrk"):
            for _ in range(args.rounds):
                got = _load_wrk(url, queries, args.clients, args.seconds)
                print(
                    f"GET /api/check, {args.clients} clients (wrk), {args.seconds} s, "
                    f"{args.workers} workers: p50 {got['p50']:.1f} ms, p95 {got['p95']:.1f} ms, "
                    f"p99 {got['p99']:.1f} ms, max {got['max']:.0f} ms, {got['rps']:.0f} req/s, "
                    f"{got['errors']} errors (load average {os.getloadavg()[0]:.2f})"
                )
        else:
            print("wrk absent (apt-get install wrk): the Python client measures itself too")
            start = time.perf_counter()
            latencies = asyncio.run(_load(url, args.clients, args.requests, queries))
            wall = time.perf_counter() - start
            p50, p95, p99 = (_pct(latencies, p) * 1000 for p in (50, 95, 99))
            print(
                f"GET /api/check, {args.clients} clients (httpx), {args.requests} requests, "
                f"{args.workers} workers: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
                f"{args.requests / wall:.0f} req/s; transport errors: {len(ERRORS)} {ERRORS[:3]}"
            )
        cold = _cold_cli(args.store)
        print(
            f"  vs one cold `zoning check` process per place: {cold * 1000:.0f} ms "
            f"-> {cold * 1000 / s50:.0f}x the one-client web p50"
        )
        paint = _first_paint(url)
        print(
            "home page with an answer, first contentful paint in Chromium: "
            + (f"{paint:.2f} s" if paint is not None else "Chromium not installed")
        )
        with tempfile.TemporaryDirectory() as tmp:
            data = _thousand_rows(Path(tmp))
            start = time.perf_counter()
            answer = httpx.post(
                url + "/api/batch",
                files={"file": (data.name, data.read_bytes())},
                data={"programme": "na-mg-2023"},
                headers={"Accept": "application/json"},
                timeout=300,
            )
            web = time.perf_counter() - start
            rows = len(answer.json()["resultats"]) if answer.status_code == 200 else answer.text
            out = Path(tmp) / "cli.xlsx"
            cli_args = ["--store", args.store] if args.store else []
            start = time.perf_counter()
            subprocess.run(
                [
                    str(ZONING),
                    "batch",
                    str(data),
                    "--programme",
                    "na-mg-2023",
                    "-o",
                    str(out),
                    *cli_args,
                ],
                check=True,
                capture_output=True,
            )
            cli = time.perf_counter() - start
        print(
            f"POST /api/batch, 1 000 rows (synthetic repeats of the example): {web:.2f} s "
            f"({rows} rows back) vs `zoning batch` -o .xlsx {cli:.2f} s -> {cli / web:.1f}x"
        )
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
