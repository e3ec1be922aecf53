"""Open a map file in headless Chromium cut off from any network and check it drew.

Used by ``.ci/smoke-wheel.sh`` on a map made by the installed wheel: the page must load
no remote file, raise no JavaScript error, and draw its communes. Reuses the browser
helpers of ``tests/map/map_browser.py``.

    python .ci/smoke_map.py couverture.html
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "map"))

from map_browser import (
    OFFLINE_FLAGS,
    chromium,
    external_requests,
    js_errors,
    open_map,
)


def main(path: Path) -> int:
    """Return 0 when the map drew offline, 1 otherwise (saying why)."""
    with chromium(extra_flags=OFFLINE_FLAGS) as driver:
        seconds = open_map(driver, path)
        errors = js_errors(driver)
        remote = external_requests(driver)
        drawn = driver.execute_script(
            "var n = 0; window.zoning.layers.communes.eachLayer(function (l) {"
            " if (l._path && document.body.contains(l._path)) { n += 1; } }); return n;"
        )
    print(f"{path.name}: {drawn} communes dessinées en {seconds:.2f} s, hors réseau")
    if errors or remote or not drawn:
        print(f"ÉCHEC : erreurs JS {errors}, fichiers distants {remote}, communes {drawn}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
