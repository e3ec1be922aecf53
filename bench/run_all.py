"""Run every benchmark, one after the other, on the same data.

Usage::

    python bench/run_all.py [--sources DIR] [--quick]

Each benchmark prints its own figures and its ratio against a plain geopandas (or naive
folium / one-request-per-row) baseline measured in the same run. No network is used:
the geocoder benchmark starts its own addok on loopback.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> int:
    print(f"\n===== {script} {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=HERE.parents[1] / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="fewer points and rows")
    args = parser.parse_args()
    sources = str(args.sources.resolve())
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "store")
        points = "200000" if args.quick else "1000000"
        failures += run("bench_store.py", "--sources", sources, "--points", points, "--keep", store)
        failures += run(
            "bench_points.py", "--sources", sources, *(["--quick"] if args.quick else [])
        )
        failures += run(
            "bench_assign.py",
            "--store",
            store,
            *(["--points", "200000", "--repeat", "2"] if args.quick else []),
        )
        failures += run("bench_batch.py", "--store", store, "--sources", sources)
        failures += run(
            "bench_appfiles.py",
            "--store",
            store,
            "--sources",
            sources,
            *(["--files", "60"] if args.quick else []),
        )
        failures += run("bench_map.py", "--store", store)
        failures += run("bench_export.py", "--store", store, "--sources", sources)
        failures += run("bench_web.py", "--store", store)
        failures += run(
            "bench_geocode.py", "--sources", sources, "--rows", "2000" if args.quick else "5000"
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
