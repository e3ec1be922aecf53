"""Coverage map: build time, HTML size and first render in Chromium, against naive folium.

Usage::

    python bench/bench_map.py [--store PATH] [--region 75] [--tolerance 150] [--no-browser]

Ours: ``zoning.map`` (communes simplified as one coverage, départements, QPV, legend,
search, assets inlined). Baseline, on the same communes in the same run: the plain
geopandas/folium way — one ``folium.GeoJson`` layer of the unsimplified polygons with a
tooltip (its CDN links inlined too, or it would not render offline). Prints both build
times, sizes and times to first render (navigation start to every commune drawn, in
headless Chromium, no network), and the ratios baseline / ours.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "map"))

_BASELINE_HOOK = """<script>
window.addEventListener('load', function () {
    var layer = null;
    for (var k in window) {
        if (k.indexOf('geo_json_') === 0 && window[k] && window[k].getLayers) layer = window[k];
    }
    var map = null;
    for (var k in window) {
        if (k.indexOf('map_') === 0 && window[k] && window[k].getZoom) map = window[k];
    }
    window.zoning = {map: map, layers: {communes: layer}};
});
</script>"""


def _baseline_html(store: Any, region: str, out: Path) -> float:
    """Naive folium map; returns its build time in seconds."""
    import folium

    from zoning.map.assets import inline_assets

    start = time.perf_counter()
    decree = store.decree_for(region, None)
    gdf = store.communes_gdf(region).merge(store.zones(decree.id)[["code", "zone"]], on="code")
    fmap = folium.Map(tiles=None)
    folium.GeoJson(
        gdf[["code", "name", "zone", "population", "geometry"]],
        tooltip=folium.GeoJsonTooltip(fields=["name", "code", "zone", "population"]),
    ).add_to(fmap)
    fmap.fit_bounds(
        [[gdf.total_bounds[1], gdf.total_bounds[0]], [gdf.total_bounds[3], gdf.total_bounds[2]]]
    )
    page = inline_assets(fmap.get_root().render()).replace("</body>", _BASELINE_HOOK + "</body>")
    out.write_text(page, encoding="utf-8")
    return time.perf_counter() - start


def _ours_html(store: Any, region: str, tolerance: float, out: Path) -> tuple[float, int]:
    from zoning.map.coverage import coverage_map
    from zoning.map.data import load_coverage
    from zoning.map.render import save_map

    start = time.perf_counter()
    data = load_coverage(store, region, tolerance_m=tolerance)
    save_map(coverage_map(data), out)
    return time.perf_counter() - start, len(data.communes)


def _render(driver: Any, path: Path) -> tuple[float, int]:
    from map_browser import js_errors, open_map

    seconds = open_map(driver, path, timeout=120)
    drawn = driver.execute_script("return window.zoning.layers.communes.getLayers().length;")
    errors = js_errors(driver)
    if errors:
        raise RuntimeError(f"{path.name}: JavaScript errors {errors}")
    return seconds, int(drawn)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--region", default="75")
    parser.add_argument("--tolerance", type=float, default=150.0)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)

    from zoning.store import ZoningStore

    store = ZoningStore.open(args.store)
    store.communes_gdf(args.region)  # warm the store's caches for both sides
    tmp = Path(tempfile.mkdtemp(prefix="bench-map-"))
    try:
        ours_path, base_path = tmp / "ours.html", tmp / "baseline.html"
        ours_s, n = _ours_html(store, args.region, args.tolerance, ours_path)
        base_s = _baseline_html(store, args.region, base_path)
        ours_mb = ours_path.stat().st_size / 1e6
        base_mb = base_path.stat().st_size / 1e6
        print(f"region {args.region}: {n} communes, tolerance {args.tolerance:g} m")
        print(f"{'':22}{'zoning.map':>12}{'naive folium':>14}{'ratio':>8}")
        print(f"{'build (s)':22}{ours_s:12.2f}{base_s:14.2f}{base_s / ours_s:8.2f}")
        print(f"{'HTML size (MB)':22}{ours_mb:12.2f}{base_mb:14.2f}{base_mb / ours_mb:8.2f}")
        if not args.no_browser:
            from map_browser import chromium

            with chromium() as driver:
                _render(driver, ours_path)  # warm-up: browser start, caches
                ours_r, ours_n = _render(driver, ours_path)
                base_r, base_n = _render(driver, base_path)
            print(f"{'first render (s)':22}{ours_r:12.2f}{base_r:14.2f}{base_r / ours_r:8.2f}")
            print(f"{'communes drawn':22}{ours_n:12d}{base_n:14d}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
