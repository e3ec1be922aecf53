"""Benchmark: the 2022 classes of Nouvelle-Aquitaine written as SYNTHETIC published annexes
(three PDF layouts and a CartoSanté-shaped CSV), read back by ``import_decree``.

    python bench/bench_annex_pdf.py --store PATH

The store is copied to a temporary folder (nothing is written: previews only). For each
layout, prints the time to write the file (reportlab), to read and resolve it (pdfplumber
and the import, preview only), the rows read, the rows unresolved, and the communes whose
class differs from the store's 2022 class (expected: 0 of 4 309).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "decrees"))

import synthetic_annex as sa  # noqa: E402
from decree_helpers import NA, OLD, copy_store  # noqa: E402

from zoning.locate import lookup  # noqa: E402
from zoning.store import ZoningStore  # noqa: E402
from zoning.store.decree_import import import_decree  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a built store (read only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store_path = copy_store(args.store, folder / "store")
        store = ZoningStore.open(store_path)
        zones = store.zones(OLD)
        truth = dict(zip(zones["code"], zones["zone"], strict=True))
        communes = store.communes(["code", "name", "departement", "region"])
        communes = communes.loc[communes["region"] == NA]
        rows = [
            sa.Commune(c, n, d, sa.NA_DEPARTEMENTS[d], truth[c])
            for c, n, d in zip(
                communes["code"], communes["name"], communes["departement"], strict=True
            )
        ]
        layouts = {
            "PDF codes (classes en toutes lettres)": lambda p: sa.write_codes_pdf(p, rows),
            "PDF codes (classes 1_ZIP…)": lambda p: sa.write_codes_pdf(p, rows, "codes"),
            "PDF TVS (en-têtes de territoire)": lambda p: sa.write_tvs_pdf(p, rows),
            "PDF listes par classe et département": lambda p: sa.write_lists_pdf(p, rows),
            "export CartoSanté (CSV)": lambda p: sa.write_cartosante_csv(p, rows, []),
        }
        print(f"{'disposition':<40} {'écriture':>9} {'lecture':>9} {'lignes':>7} "
              f"{'non ratt.':>9} {'écarts':>7}")  # fmt: skip
        for n, (name, write) in enumerate(layouts.items()):
            suffix = ".csv" if "CSV" in name else ".pdf"
            path = folder / f"SYNTHETIQUE-{n}{suffix}"
            t0 = time.perf_counter()
            write(path)
            t1 = time.perf_counter()
            report = import_decree(
                ZoningStore.open(store_path),
                path,
                decree_id=f"bench-{n}",
                region=NA,
                communes=lookup,
                in_force=date(2031, 1, 1),
                dry_run=True,
            )
            t2 = time.perf_counter()
            assert report.zones is not None
            got = dict(zip(report.zones["code"], report.zones["zone"], strict=True))
            wrong = sum(1 for code, zone in truth.items() if got.get(code) != zone)
            print(
                f"{name:<40} {t1 - t0:>8.1f}s {t2 - t1:>8.1f}s {report.rows_read:>7} "
                f"{len(report.unresolved()):>9} {wrong:>4}/{len(truth)}"
            )


if __name__ == "__main__":
    main()
