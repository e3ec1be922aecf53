"""The web application under load: /api/check latency, first render, a 1 000-row upload.

Usage::

    python bench/bench_web.py [--store PATH] [--workers 2] [--clients 50] [--requests 2000]

Starts ``zoning serve`` on a free loopback port (no other network), then measures:

* ``GET /api/check`` with ``--clients`` concurrent clients (httpx, asyncio) over a mix of
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
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
ZONING = Path(sys.executable).parent / "zoning"
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"
QUERIES = [
    "23096",
    "23121",
    "33063",
    "87085",
    "19272",
    "64445",
    "16015",
    "86194",
    "33000 Bordeaux",
    "23000 Guéret",
    "Limoges",
    "Sainte-Feyre",
    "Guéret (23)",
    "1.87113, 46.16497",
    "-0.5792, 44.8378",
    "1.2611, 45.8336",
    "0.3404, 46.5802",
]


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


async def _load(url: str, clients: int, total: int) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(QUERIES[i % len(QUERIES)])
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                q = queue.get_nowait()
                start = time.perf_counter()
                try:
                    answer = await client.get("/api/check", params={"q": q})
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
            [str(ZONING), "check", "--commune", code, *args], check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first_paint(url: str) -> float | None:
    sys.path.insert(0, str(REPO / "tests" / "maps"))
    from map_browser import chromium, chromium_available

    if not chromium_available():
        return None
    block = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
    paints = []
    with chromium(extra_args=[block]) as driver:
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
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    process, url = _start(args.store, args.workers)
    try:
        asyncio.run(_load(url, 10, 200))  # warm up every worker (store, indexes)
        single = asyncio.run(_load(url, 1, 300))
        s50, s95 = (_pct(single, p) * 1000 for p in (50, 95))
        print(f"GET /api/check, 1 client, 300 requests: p50 {s50:.1f} ms, p95 {s95:.1f} ms")
        start = time.perf_counter()
        latencies = asyncio.run(_load(url, args.clients, args.requests))
        wall = time.perf_counter() - start
        load = os.getloadavg()
        p50, p95, p99 = (_pct(latencies, p) * 1000 for p in (50, 95, 99))
        cold = _cold_cli(args.store)
        print(
            f"GET /api/check, {args.clients} clients, {args.requests} requests, "
            f"{args.workers} workers: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
            f"{args.requests / wall:.0f} req/s (load average during: {load[0]:.2f}); "
            f"transport errors: {len(ERRORS)} {ERRORS[:3]}"
        )
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
