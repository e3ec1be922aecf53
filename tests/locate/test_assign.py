"""``zoning assign``: every row of a large file gets its commune, zone and QPV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from zoning.cli import cli
from zoning.locate import lookup
from zoning.store import ZoningStore


def test_assign_excel_export_keeps_every_row(
    fixture_store: ZoningStore, fixture_store_path: Path, tmp_path: Path
) -> None:
    rng = np.random.default_rng(7)
    n = 5000
    lon = rng.uniform(-1.8, 2.6, n)
    lat = rng.uniform(42.8, 47.2, n)
    qpv = fixture_store.qpv_polygons().set_index("code_qp").loc["QP031010"]
    qpv = qpv.geometry.representative_point()
    lon[:3], lat[:3] = [1.87113, -5.0, qpv.x], [46.16497, 46.0, qpv.y]
    frame = pd.DataFrame({"nom": [f"Site é{i}" for i in range(n)], "x": lon, "y": lat})
    frame["x"] = frame["x"].map(lambda v: f"{v:.6f}".replace(".", ","))  # French decimals
    frame.loc[3, "x"] = "n/a"
    src = tmp_path / "sites.csv"
    frame.to_csv(src, sep=";", index=False, encoding="cp1252")
    out = tmp_path / "sites-zones.parquet"
    result = CliRunner().invoke(
        cli,
        [
            "assign",
            str(src),
            "-o",
            str(out),
            "--sep",
            ";",
            "--encoding",
            "cp1252",
            "--lon-col",
            "x",
            "--lat-col",
            "y",
            "--chunk-size",
            "1000",
            "--no-progress",
            "--store",
            str(fixture_store_path),
        ],
    )
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(out)
    assert len(got) == n
    assert list(got["nom"]) == list(frame["nom"])
    assert got.loc[0, ["commune", "zone", "decree"]].tolist() == [
        "23096",
        "ZIP",
        "ars-na-2022-04-25",
    ]
    assert pd.isna(got.loc[1, "commune"])  # at sea
    assert got.loc[2, "qpv"] == "QP031010"
    assert pd.isna(got.loc[3, "commune"])  # unreadable coordinate, row kept
    expected = lookup.assign_points(fixture_store, lon[4:], lat[4:])["commune"].tolist()
    got_codes = [None if pd.isna(c) else c for c in got["commune"].iloc[4:]]
    assert got_codes == expected


def test_parquet_to_parquet_imports_only_what_it_needs(store_path: Path, tmp_path: Path) -> None:
    """The Parquet path stays in numpy + Arrow buffers: pandas alone costs more than the
    work, and pyarrow.compute 50 ms of function wrappers; shapely (20 ms) only when the
    edge bands leave a point to GEOS, which these two never are."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"lon": [1.87113, -5.0], "lat": [46.16497, 46.0]}), src)
    code = (
        "import sys\n"
        "from zoning.cli import main\n"
        "try:\n"
        f"    main(['assign', {str(src)!r}, '-o', {str(dst)!r}, '--no-progress',"
        f" '--store', {str(store_path)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('pandas', 'geopandas', 'pyarrow.compute', 'shapely', 'zoning.pointindex.build')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert pq.read_table(dst).column("commune").to_pylist() == ["23096", None]


def test_remark_says_when_to_check(store_path: Path, tmp_path: Path) -> None:
    """Never a silent class: an unloaded decree in force, a later decree not loaded, or a
    commune its decree's table does not name give « à vérifier » and why, row by row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    store = ZoningStore.open(store_path)
    merged = store.communes_gdf().set_index("code").loc["16147"].geometry  # merged 2025
    point = merged.representative_point()
    src = tmp_path / "in.parquet"
    # Guéret (ZIP in the 2022 decree), the merged commune, Bordeaux, then the sea.
    lon, lat = [1.87113, point.x, -0.5792, -5.0], [46.16497, point.y, 44.8378, 46.0]
    pq.write_table(pa.table({"lon": lon, "lat": lat}), src)

    def run(*date: str) -> dict[str, list[object]]:
        dst = tmp_path / "out.parquet"
        argv = ["assign", str(src), "-o", str(dst), "--no-progress", "--store", str(store_path)]
        result = CliRunner().invoke(cli, [*argv, *date])
        assert result.exit_code == 0, result.output
        table = pq.read_table(dst)
        return {c: table.column(c).to_pylist() for c in ("zone", "decree", "remarque")}

    in_2023 = run("--date", "2023-06-01")
    assert in_2023["zone"][0] == "ZIP" and in_2023["remarque"][0] is None
    assert in_2023["zone"][1] is None
    assert in_2023["remarque"][1].startswith("à vérifier : aucune ligne du fichier de zonage")
    # No commune: said so, as `zoning check` says it (never a blank that reads as fine).
    assert in_2023["remarque"][3].startswith("à vérifier : le point n'est dans aucune commune")

    # The 2025 decree applies but its annex is not in the store: no class, and why.
    in_2026 = run("--date", "2026-03-01")
    assert in_2026["zone"][:3] == [None, None, None]
    assert in_2026["decree"][:3] == [None, None, None]
    for remark in in_2026["remarque"][:3]:
        assert remark.startswith("à vérifier : ") and "zoning data import-decree" in remark

    # Without a date: the last decree loaded, said to be so.
    latest = run()
    assert latest["zone"][0] == "ZIP" and latest["decree"][0] == "ars-na-2022-04-25"
    assert "n'est pas chargé" in latest["remarque"][0]


def test_codes_matched_to_their_first_row() -> None:
    """Zone rows find the first commune of their code, or none; nulls find none."""
    import pyarrow as pa

    from zoning.locate.stream.zones import _positions

    codes = pa.array(["33063", "99999", "23096", None, "33063"]).dictionary_encode()
    communes = pa.array(["23096", "33063", "23096", "2A004"]).dictionary_encode()
    assert _positions(codes, communes).tolist() == [1, -1, 0, -1, 1]
    nothing = pa.array([], pa.string()).dictionary_encode()
    assert _positions(codes, nothing).tolist() == [-1] * 5
