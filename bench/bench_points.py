"""Benchmark: fast point-to-commune assignment against a plain geopandas sjoin.

One command, everything measured in the same run on the same data::

    python bench/bench_points.py [--sources DIR] [--quick]

For Nouvelle-Aquitaine (12 départements, 4 405 communes of 2018) and for all the
communes in the sources (France and overseas, ~35 000), on the same random points
(uniform in commune bounding boxes picked in proportion to their area: nearly all
on land, the hard case):

* baseline: ``geopandas.sjoin(points, communes, predicate="within")`` including
  building the points GeoDataFrame from the lon/lat arrays;
* ours: ``PointIndex.assign(lon, lat)``;
* their ratio, and the number of points where ours differs from the exact path
  (``assign_exact``: STRtree "intersects", lowest index) -- must be 0;
* index build time, size in memory and on disk, cold open in a fresh process;
* a streaming run (Parquet in, Parquet out, chunks of 1 M) of 10 M points in a
  child process, with its peak resident memory.

One core: the process is pinned to one CPU and OMP/BLAS/numexpr threads are 1;
GEOS and our numpy code are single-threaded anyway. Timings are the best of
``--repeat`` runs (baseline and ours interleaved), because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# The polygon sets of the tests (tests/pointindex/polysets.py) read the raw sources.
sys.path.insert(0, str(REPO))
log = logging.getLogger("bench_points")


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_one_core() -> str:
    """Pin this process (and children) to one CPU, one thread; returns a description.

    Call before numpy is imported so that the thread variables take effect.
    """
    for var in THREAD_VARS:
        os.environ[var] = "1"
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}, OMP/BLAS threads = 1"
    except (AttributeError, OSError):  # not Linux
        return "not pinned (no sched_setaffinity), OMP/BLAS threads = 1"


def time_command(
    cmd: Sequence[str] | str, repeat: int = 3, env: dict[str, str] | None = None
) -> float:
    """Best wall time (seconds) of a command run as a fresh subprocess.

    The hook for cold-start timings (e.g. ``zoning check``): each run is a new
    process, so imports and index opening are paid every time.

    Raises
    ------
    subprocess.CalledProcessError
        If the command fails.
    """
    args = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        best = min(best, time.perf_counter() - t)
    return best


def best_of(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Best wall time of each function, runs interleaved (fair on a busy machine)."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def folder_mb(folder: Path, prefix: str = "pointindex") -> float:
    """Size on disk of the index files in ``folder``, MB."""
    return sum(f.stat().st_size for f in folder.glob(f"{prefix}*")) / 1e6


def bench_polygons(
    name: str, gdf: Any, n_points: int, repeat: int, leaf: float, work: Path
) -> dict[str, Any]:
    """Baseline vs ours on one polygon set; returns the figures."""
    import geopandas as gpd
    import shapely

    from tests.pointindex import polysets
    from zoning import pointindex

    polys = gdf.geometry.values
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(polys), n_points, seed=42)
    t = time.perf_counter()
    index = pointindex.build_index(polys, leaf_deg=leaf)
    build_s = time.perf_counter() - t
    folder = index.save(work / f"index_{name}")
    cold_cmd = [
        sys.executable,
        "-c",
        "import sys; from zoning.pointindex import PointIndex; "
        "i = PointIndex.load(sys.argv[1]); i.assign([-0.5792, 2.35], [44.8378, 48.85])",
        str(folder),
    ]
    cold_s = time_command(cold_cmd, repeat=3)
    communes = gdf[["code", "geometry"]]

    def baseline() -> Any:
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        return gpd.sjoin(pts, communes, predicate="within", how="left")

    ours_out: dict[str, Any] = {}

    def ours() -> None:
        ours_out["r"] = index.assign(lon, lat)

    times = best_of({"baseline": baseline, "ours": ours}, repeat)
    t = time.perf_counter()
    exact = pointindex.assign_exact(polys, lon, lat)
    exact_s = time.perf_counter() - t
    mismatches = int((ours_out["r"] != exact).sum())
    return {
        "polygons": len(polys),
        "points": int(n_points),
        "covered": int((exact >= 0).sum()),
        "baseline_s": times["baseline"],
        "ours_s": times["ours"],
        "exact_s": exact_s,
        "baseline_mpts": n_points / times["baseline"] / 1e6,
        "ours_mpts": n_points / times["ours"] / 1e6,
        "ratio": times["baseline"] / times["ours"],
        "mismatches": mismatches,
        "leaf_deg": index.grid.leaf_deg,
        "build_s": build_s,
        "index_mb": index.nbytes() / 1e6,
        "disk_mb": folder_mb(folder),
        "cold_open_s": cold_s,
        "folder": str(folder),
    }


def write_points_parquet(path: Path, bounds: Any, n: int, chunk: int = 1_000_000) -> None:
    """``n`` random points (columns id, lon, lat), written chunk by chunk."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.pointindex import polysets

    writer = None
    for start in range(0, n, chunk):
        k = min(chunk, n - start)
        lon, lat = polysets.random_points_in_bboxes(bounds, k, seed=start + 7)
        table = pa.table(
            {"id": np.arange(start, start + k, dtype=np.int64), "lon": lon, "lat": lat}
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


def stream_child(index_dir: str, src: str, dst: str) -> None:
    """Child process of the streaming run: prints its report as JSON."""
    from zoning.locate.stream.assign import assign_file, peak_rss_mb
    from zoning.pointindex import PointIndex

    base = peak_rss_mb()
    index = PointIndex.load(index_dir)
    report = assign_file(index, src, dst, progress=False)
    print(
        json.dumps({**report.__dict__, "rss_after_imports_mb": base, "peak_rss_mb": peak_rss_mb()})
    )


def bench_stream(index_dir: str, bounds: Any, n: int, work: Path) -> dict[str, Any]:
    """Stream ``n`` points through a saved index in a fresh process."""
    src, dst = work / "points.parquet", work / "assigned.parquet"
    t = time.perf_counter()
    write_points_parquet(src, bounds, n)
    gen_s = time.perf_counter() - t
    cmd = [sys.executable, __file__, "--_stream-child", index_dir, str(src), str(dst)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    report: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    report.update(points=n, input_mb=src.stat().st_size / 1e6, generate_s=gen_s)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sources", type=Path, default=None, help="shared data folder (default ../shared/data)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="200 k points, 1 M streamed, one repeat"
    )
    parser.add_argument(
        "--points", type=int, default=None, help="random points per polygon set (1 000 000)"
    )
    parser.add_argument(
        "--stream-points", type=int, default=None, help="points streamed (10 000 000)"
    )
    parser.add_argument("--repeat", type=int, default=None, help="timed runs, best kept (3)")
    parser.add_argument("--leaf", type=float, default=1 / 2048, help="leaf cell size in degrees")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--_stream-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._stream_child:
        stream_child(*args._stream_child)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sources = args.sources or Path(
        os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data"
    )
    n_points = args.points or (200_000 if args.quick else 1_000_000)
    n_stream = args.stream_points or (1_000_000 if args.quick else 10_000_000)
    repeat = args.repeat or (1 if args.quick else 3)
    pinned = pin_one_core()

    import geopandas as gpd
    import shapely

    from tests.pointindex import polysets
    from zoning.locate.stream.assign import peak_rss_mb

    results: dict[str, Any] = {"one_core": pinned, "sources": str(sources)}
    with tempfile.TemporaryDirectory(prefix="bench_points_") as tmp:
        work = Path(tmp)
        sets = {"NA": polysets.NA_DEPARTEMENTS, "France": None}
        france: Any = None
        for name, deps in sets.items():
            gdf = polysets.read_communes(sources, deps)
            log.info("%s: %d communes, %d points ...", name, len(gdf), n_points)
            results[name] = bench_polygons(name, gdf, n_points, repeat, args.leaf, work)
            results[name]["process_peak_rss_mb"] = peak_rss_mb()
            france = gdf
        assert isinstance(france, gpd.GeoDataFrame)
        log.info("streaming %d points ...", n_stream)
        results["stream"] = bench_stream(
            results["France"]["folder"], shapely.bounds(france.geometry.values), n_stream, work
        )
    print_report(results, n_points, repeat)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    bad = sum(results[k]["mismatches"] for k in sets)
    return 1 if bad else 0


def print_report(r: dict[str, Any], n_points: int, repeat: int) -> None:
    """Human-readable figures."""
    print(f"\nbench_points: {n_points:,} random points per set, best of {repeat}; {r['one_core']}")
    print(
        f"{'set':7} {'communes':>8} {'geopandas sjoin':>22} {'ours':>22}"
        f" {'ratio':>6} {'mismatch':>8}"
    )
    for name in ("NA", "France"):
        x = r[name]
        base = f"{x['baseline_mpts']:.2f} Mpt/s ({x['baseline_s']:.2f} s)"
        ours = f"{x['ours_mpts']:.2f} Mpt/s ({x['ours_s']:.3f} s)"
        print(
            f"{name:7} {x['polygons']:>8,} {base:>22} {ours:>22} {x['ratio']:>5.1f}x"
            f" {x['mismatches']:>8}"
        )
    print(
        f"{'set':7} {'leaf':>7} {'build':>7} {'memory':>9} {'on disk':>9} {'cold open':>9}"
        f" {'exact path':>10} {'peak RSS so far':>15}"
    )
    for name in ("NA", "France"):
        x = r[name]
        leaf = f"1/{round(1 / x['leaf_deg'])}"
        print(
            f"{name:7} {leaf:>7} {x['build_s']:>6.1f}s {x['index_mb']:>6.1f} MB"
            f" {x['disk_mb']:>6.1f} MB {x['cold_open_s']:>8.2f}s {x['exact_s']:>9.2f}s"
            f" {x['process_peak_rss_mb']:>12.0f} MB"
        )
    s = r["stream"]
    print(
        f"stream  {s['points']:,} points Parquet -> Parquet, chunks of 1 M, France index, "
        f"fresh process: {s['seconds']:.1f} s ({s['points'] / s['seconds'] / 1e6:.2f} Mpt/s), "
        f"peak RSS {s['peak_rss_mb']:.0f} MB (after imports {s['rss_after_imports_mb']:.0f} MB), "
        f"{s['matched']:,} matched"
    )


if __name__ == "__main__":
    sys.exit(main())
