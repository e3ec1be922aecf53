"""Regenerate the README's map screenshots (docs/img/coverage.png, docs/img/posts.png).

Usage::

    python docs/make_images.py [--store PATH]

Renders both maps from the zoning store (the posts map from the hand-written sample posts
of the map tests: real hospitals and commune reference points, made-up posts), opens
them in headless Chromium with no network and saves small screenshots.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "map"))


def _shrink(path: Path) -> None:
    """Re-save as a 256-colour PNG (a third of the size; maps have few colours)."""
    from PIL import Image  # Pillow comes with matplotlib

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> None:
    """Write the two PNG files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)

    from map_browser import chromium, js_errors, open_map
    from sample_posts import write_sample_posts

    from zoning.map.coverage import coverage_map
    from zoning.map.data import load_coverage
    from zoning.map.posts.page import posts_map
    from zoning.map.posts.read import read_posts
    from zoning.map.render import save_map
    from zoning.store import ZoningStore

    store = ZoningStore.open(args.store)
    data = load_coverage(store, "75")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cov = save_map(coverage_map(data), Path(tmp) / "coverage.html")
        posts = read_posts(write_sample_posts(store, Path(tmp) / "posts.csv"))
        post = save_map(posts_map(posts, data), Path(tmp) / "posts.html")
        with chromium(width=1100, height=800) as driver:
            open_map(driver, cov)
            driver.save_screenshot(str(args.out / "coverage.png"))
            open_map(driver, post)
            driver.execute_script(
                "var z = window.zoningPosts, m = window.zoning.map;"
                "m.addLayer(z.circles);"
                "m.fitBounds([[45.6, 0.95], [46.35, 2.35]], {animate: false});"
            )
            driver.execute_async_script(
                "var done = arguments[arguments.length - 1]; setTimeout(done, 300);"
            )
            driver.save_screenshot(str(args.out / "posts.png"))
            errors = js_errors(driver)
            if errors:
                raise SystemExit(f"JavaScript errors: {errors}")
    for name in ("coverage.png", "posts.png"):
        path = args.out / name
        _shrink(path)
        print(f"{path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
