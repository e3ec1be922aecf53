"""Benchmark: whole-process ``zoning assign`` against the geopandas script a user would write.

    python bench/bench_assign.py --store PATH [--points 2000000 10000000] [--repeat 3]

Random points (synthetic, uniform over the bounding box of Nouvelle-Aquitaine) are
written to a Parquet file (``id, lon, lat``). Both sides run as a fresh process, as a
user runs them, Parquet in and Parquet out, interleaved in the same run:

* ours: ``zoning assign points.parquet -o out.parquet --no-progress``;
* the baseline: read the Parquet with pandas, ``points_from_xy``, ``sjoin`` on the
  store's own commune polygons, merge the zone table of the decree, write Parquet.

The ratio is printed from the best and from the median times. Then every row of our
output is checked: all rows, in order, and the commune equal to the exact path
(:func:`zoning.pointindex.assign_exact` over the same polygons).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from installed import as_installed

BASELINE = """
import sys
import geopandas as gpd
import pandas as pd

store, src, dst, decree = sys.argv[1:5]
communes = gpd.read_parquet(f"{store}/communes.parquet", columns=["code", "geometry"])
zones = pd.read_parquet(f"{store}/zones.parquet", columns=["decree_id", "code", "zone"])
zones = zones[zones["decree_id"] == decree][["code", "zone"]]
points = pd.read_parquet(src)
gdf = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.lon, points.lat), crs=4326)
joined = gpd.sjoin(gdf, communes, how="left", predicate="within")
joined = joined[~joined.index.duplicated(keep="first")]
out = joined.drop(columns=["geometry", "index_right"]).merge(zones, on="code", how="left")
out.to_parquet(dst, index=False)
"""

#: Bounding box of Nouvelle-Aquitaine (degrees), a little sea included.
NA_BOX = (-1.8, 42.77, 2.62, 47.18)


def write_points(path: Path, n: int, seed: int = 3) -> None:
    """Synthetic points: ``id, lon, lat``, uniform over :data:`NA_BOX`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = NA_BOX
    schema = pa.schema([("id", pa.int64()), ("lon", pa.float64()), ("lat", pa.float64())])
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, n, 1_000_000):
            k = min(1_000_000, n - lo)
            lon, lat = rng.uniform(xmin, xmax, k), rng.uniform(ymin, ymax, k)
            writer.write_table(pa.table({"id": np.arange(lo, lo + k), "lon": lon, "lat": lat}))


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def check_output(store_dir: Path, src: Path, ours: Path) -> tuple[int, int, int]:
    """Rows in, rows out, and communes differing from the exact path."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    import shapely

    from zoning.pointindex import assign_exact
    from zoning.store import ZoningStore

    store = ZoningStore.open(store_dir)
    codes, index = store.point_index("communes")
    polys = index.polys
    tree = shapely.STRtree(polys)
    pin, pout = pq.ParquetFile(src), pq.ParquetFile(ours)
    rows_in, rows_out = pin.metadata.num_rows, pout.metadata.num_rows
    got_ids = pout.read(columns=["id"]).column("id").to_numpy()
    if rows_in != rows_out or not (got_ids == np.arange(rows_in)).all():
        raise SystemExit("rows out of order or lost")
    got = pc.cast(pout.read(columns=["commune"]).column("commune"), pa.string())
    got = pc.fill_null(got, "").to_numpy(zero_copy_only=False)
    want = [np.zeros(0, dtype=object)]
    for batch in pin.iter_batches(1_000_000, columns=["lon", "lat"]):
        exact = assign_exact(
            polys, batch.column("lon").to_numpy(), batch.column("lat").to_numpy(), tree
        )
        want.append(np.where(exact >= 0, codes[np.maximum(exact, 0)], ""))
    differ = int((np.concatenate(want) != got).sum())
    return rows_in, rows_out, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--points", type=int, nargs="+", default=[2_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="skip the exact-path check")
    args = parser.parse_args()
    store = args.store.resolve()
    zoning = [sys.executable, "-m", "zoning"]
    decree = "ars-na-2022-04-25"
    env = as_installed()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores {os.cpu_count()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        script = work / "user_script.py"
        script.write_text(BASELINE, encoding="utf-8")
        for n in args.points:
            src = work / f"points_{n}.parquet"
            write_points(src, n)
            ours_out, base_out = work / "ours.parquet", work / "base.parquet"
            ours_cmd = [*zoning, "assign", str(src), "-o", str(ours_out), "--no-progress"]
            ours_cmd += ["--store", str(store)]
            base_cmd = [sys.executable, str(script), str(store), str(src), str(base_out), decree]
            t_ours, t_base = [], []
            for _ in range(args.repeat):  # interleaved: both sides see the same load
                t_base.append(timed(base_cmd, env))
                t_ours.append(timed(ours_cmd, env))
            best = min(t_base) / min(t_ours)
            median = statistics.median(t_base) / statistics.median(t_ours)
            print(
                f"{n:,} points: zoning assign best {min(t_ours):.2f} s "
                f"({n / min(t_ours) / 1e6:.2f} M pts/s), median {statistics.median(t_ours):.2f} s;"
                f" geopandas script best {min(t_base):.2f} s, median "
                f"{statistics.median(t_base):.2f} s; ratio {best:.1f}x (best), "
                f"{median:.1f}x (median)",
                flush=True,
            )
            if not args.no_check:
                rows_in, rows_out, differ = check_output(store, src, ours_out)
                print(
                    f"  rows in {rows_in:,}, rows out {rows_out:,} (same order), communes "
                    f"differing from the exact path: {differ}",
                    flush=True,
                )
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
