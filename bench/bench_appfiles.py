"""Benchmark: « rows right / rows » on generated application files, per kind of variation.

    python bench/bench_appfiles.py [--files 200] [--seed 7] [--store PATH] [--sources DIR]
                                   [--jobs 2]

Files come from ``tests/appfiles/generate.py`` (DS individual and organisation exports as
XLSX, ODS and CSV; instructors' workbooks with title blocks, merged, hidden columns, TOTAL
rows; headers from a grammar written apart from the tool; values in every style), real
communes and hospitals, made-up people. The truth of each row is computed from the raw
sources without the tool's code (``tests/appfiles/truth.py``). Each file goes through the
installed ``zoning batch`` command in its own process, as users run it (``-o`` CSV, and
XLSX for one file in five). Prints rows right / rows overall and per kind, rows lost,
wrong verdicts, « à vérifier » misses and false remarks, with example rows. The store:
``--store``, else ``ZONING_STORE``, else one built from ``--sources`` in a temporary
folder. No network: the geocoder is off (``ZONING_ADDOK_URL=off``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from installed import as_installed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.appfiles.compare import run_files  # noqa: E402
from tests.appfiles.generate import generate  # noqa: E402
from tests.appfiles.sources import Sources  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument(
        "--sources",
        type=Path,
        default=Path(os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data"),
    )
    parser.add_argument("--jobs", type=int, default=2, help="files run at once")
    parser.add_argument("--examples", type=int, default=2, help="example rows per cause")
    args = parser.parse_args()
    os.environ.update(as_installed())
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or (
            Path(os.environ["ZONING_STORE"]) if os.environ.get("ZONING_STORE") else None
        )
        if store is None:
            import subprocess

            store = Path(tmp) / "store"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "zoning",
                    "-q",
                    "data",
                    "build",
                    "--sources",
                    str(args.sources),
                    "--store",
                    str(store),
                ],
                check=True,
            )
        start = time.perf_counter()
        paths = generate(Path(tmp) / "files", Sources(args.sources), args.files, args.seed)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        summary = run_files(paths, store, args.jobs)
        ran = time.perf_counter() - start
        print(
            f"{len(paths)} fichiers générés en {generated:.1f} s ({summary.rows} dossiers), "
            f"passés par `zoning batch` en {ran:.1f} s"
        )
        for line in summary.lines(args.examples):
            print(line)


if __name__ == "__main__":
    main()
