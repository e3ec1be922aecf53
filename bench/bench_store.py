"""Store build time, and point lookup throughput against a plain geopandas ``sjoin``.

Usage::

    python bench/bench_store.py [--sources DIR] [--points 1000000] [--region 75]

Builds a store from the sources (timed), then assigns the same random points over the
region's bounding box with ``zoning.locate.lookup.assign_points`` and with
``geopandas.sjoin(points, communes, predicate="within")``, and prints both throughputs,
their ratio and how many assignments differ (points exactly on a border may go either way
in ``within``; ours gives the lowest code), then times ``zoning check`` from a cold process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from installed import as_installed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_sources = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--sources", type=Path, default=default_sources)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--region", default="75")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="keep the built store here")
    args = parser.parse_args()

    import geopandas as gpd

    from zoning.locate import lookup
    from zoning.store import ZoningStore
    from zoning.store.build import build_store

    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.keep or Path(tmp) / "store"
        started = time.perf_counter()
        build_store(args.sources, store_dir, progress=False)
        build_s = time.perf_counter() - started
        store = ZoningStore.open(store_dir)
        cold = {
            what: cold_start(store_dir, *argv)
            for what, argv in (
                # Dated inside the 2022 decree: today's answer is « à vérifier », exit 5.
                ("commune", ["--commune", "23096", "--date", "2023-11-01"]),
                ("point", ["--lon", "1.87113", "--lat", "46.16497", "--date", "2023-11-01"]),
            )
        }
        communes = store.communes_gdf()[["code", "geometry"]]  # same polygons as ours
        xmin, ymin, xmax, ymax = store.communes_gdf(args.region).total_bounds
        rng = np.random.default_rng(args.seed)
        lon = rng.uniform(xmin, xmax, args.points)
        lat = rng.uniform(ymin, ymax, args.points)

        started = time.perf_counter()
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
        joined = gpd.sjoin(points, communes, predicate="within", how="left")
        joined = joined[~joined.index.duplicated(keep="first")]
        base_s = time.perf_counter() - started
        base = joined["code"].to_numpy(dtype=object)

        # Open the indexes and read the border polygons once, as a long-running process would.
        lookup.assign_points(store, lon[:20_000], lat[:20_000])
        started = time.perf_counter()
        ours = lookup.assign_points(store, lon, lat)["commune"].to_numpy(dtype=object)
        ours_s = time.perf_counter() - started

    base = np.where(joined["code"].isna().to_numpy(), None, base)
    mismatches = int(sum(a != b for a, b in zip(ours, base, strict=True)))
    print(f"store build: {build_s:.1f} s (all communes of the sources)")
    print(f"points: {args.points:,} random over region {args.region}'s bounding box")
    print(f"geopandas sjoin(within): {args.points / base_s / 1e6:.3f} M points/s ({base_s:.2f} s)")
    print(f"zoning assign_points:    {args.points / ours_s / 1e6:.3f} M points/s ({ours_s:.2f} s)")
    print(f"ratio (ours / sjoin):    {base_s / ours_s:.1f}x")
    print(f"assignments differing from sjoin: {mismatches}")
    for what, seconds in cold.items():
        print(f"zoning check --{what} cold start (fresh process, best of 5): {seconds:.2f} s")


def cold_start(store_dir: Path, *argv: str) -> float:
    """Best wall time of ``zoning check ARGV`` in a fresh Python process."""
    env = {**as_installed(), "ZONING_STORE": str(store_dir)}
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "zoning", "check", *argv],
            env=env,
            check=True,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - started)
    return best


if __name__ == "__main__":
    main()
