"""Layers for QGIS: ``zoning export`` against the geopandas script a planner would write.

Usage::

    python bench/bench_export.py [--store PATH] [--sources DIR] [--region 75] [--repeat 3]

Both are whole processes, timed from the shell, interleaved ``--repeat`` times:

- ours: ``zoning export couches.gpkg --region 75`` — communes and their class, QPV,
  départements with population per class against the caps, each layer with its QGIS
  style, and the provenance table;
- baseline: a geopandas script on the same data — the région's commune polygons (the
  2018 GeoJSON files of the sources), the decree's classes as an annex table (written
  beforehand by ``zoning data export-decree``, untimed) and INSEE's population, merged
  and written as a GeoPackage with a communes layer and a dissolved départements layer
  (pyogrio), with no style, no QPV and no provenance.

Prints the best and median times and the ratio baseline / ours (above 1: ours is faster).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO.parent / "shared" / "data"

BASELINE = """
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

sources, annex, out, deps = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].split(",")
files = sorted(
    f for d in deps
    for f in (sources / "communes_france_geojson_2018").glob(f"communes-{d}-*.geojson")
)
communes = pd.concat([gpd.read_file(f, engine="pyogrio") for f in files], ignore_index=True)
communes["departement"] = communes["code"].str[:2]
classes = pd.read_csv(annex, sep=";", dtype=str, encoding="utf-8-sig")[["code_insee", "classe"]]
population = pd.read_csv(
    sources / "cog_communes" / "population_communes_cog2021_pop2019.csv",
    sep=";", dtype={"COM": str},
)[["COM", "PMUN"]]
layer = communes.merge(classes, left_on="code", right_on="code_insee", how="left").merge(
    population, left_on="code", right_on="COM", how="left"
)
layer["classe"] = layer["classe"].fillna("ND")
layer = layer[["code", "nom", "departement", "PMUN", "classe", "geometry"]]
layer.to_file(out, layer="communes", driver="GPKG", engine="pyogrio")
layer.dissolve("departement", aggfunc={"PMUN": "sum"}).reset_index().to_file(
    out, layer="departements", driver="GPKG", engine="pyogrio"
)
"""


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])}… failed:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--region", default="75")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from zoning.store import ZoningStore

    store = ZoningStore.open(args.store)
    decree = store.decree_for(args.region, None)
    deps = sorted(store.communes_gdf(args.region)["departement"].astype(str).unique())
    zoning = [sys.executable, "-m", "zoning"]
    store_args = ["--store", str(store.path)] if args.store else []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        annex = folder / "annexe.csv"
        subprocess.run(
            [*zoning, "data", "export-decree", decree.id, "-o", str(annex), *store_args],
            check=True,
            capture_output=True,
        )
        script = folder / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        ours: list[float] = []
        base: list[float] = []
        for i in range(args.repeat):
            out = folder / f"ours-{i}.gpkg"
            ours.append(_timed([*zoning, "export", str(out), "--region", args.region, *store_args]))
            plain = folder / f"baseline-{i}.gpkg"
            base.append(
                _timed(
                    [
                        sys.executable,
                        str(script),
                        str(args.sources),
                        str(annex),
                        str(plain),
                        ",".join(deps),
                    ]
                )
            )
        size_ours, size_base = out.stat().st_size, plain.stat().st_size
    print(f"export, region {args.region}, {decree.id}, {len(deps)} départements, x{args.repeat}")
    print(
        f"  zoning export (3 layers + provenance, styled): best {min(ours):.2f} s, "
        f"median {statistics.median(ours):.2f} s, {size_ours / 1e6:.1f} MB"
    )
    print(
        f"  geopandas script (2 layers, no style): best {min(base):.2f} s, "
        f"median {statistics.median(base):.2f} s, {size_base / 1e6:.1f} MB"
    )
    print(
        f"  ratio baseline / ours: best {min(base) / min(ours):.2f}x, "
        f"median {statistics.median(base) / statistics.median(ours):.2f}x"
    )


if __name__ == "__main__":
    main()
