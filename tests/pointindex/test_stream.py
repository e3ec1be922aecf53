"""Streaming assignment of files, and the dask engine on a local cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.pointindex import polysets
from zoning.errors import InvalidInputError
from zoning.io.arrow import text_array
from zoning.locate.stream import assign, columns, dask_engine, pool

PolySet = Any  # tests/pointindex/conftest.py


@pytest.fixture(scope="module")
def index_dir(na: PolySet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return na.index.save(tmp_path_factory.mktemp("pointindex"))


@pytest.fixture(scope="module")
def points(na: PolySet) -> pd.DataFrame:
    lon, lat = polysets.random_points_in_bboxes(shapely.bounds(na.polys), 40_000, seed=21)
    return pd.DataFrame({"id": np.arange(lon.size), "x": lon, "y": lat})


def test_excel_csv_keeps_every_row(na: PolySet, tmp_path: Path) -> None:
    """Windows-1252 ``;`` CSV with decimal commas and broken rows: all rows out,
    in order, text untouched, bad coordinates get no commune."""
    src = tmp_path / "structures.csv"
    rows = [
        "nom;longitude;latitude",
        "Centre de santé Bègles;-0,5490;44,8080",
        "Maison de santé Guéret;1,8717;46,1717",
        "sans coordonnées;;",
        "coordonnées illisibles;abc;45",
        "en mer;-3,0;45,5",
        "=HYPERLINK(1);-0,5792;44,8378",
        "Limoges;1.2611;45.8336",
    ]
    src.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    dst = tmp_path / "out.csv"
    report = assign.assign_file(
        na.index,
        src,
        dst,
        "longitude",
        "latitude",
        "commune",
        labels=list(na.codes),
        chunk_size=3,
        sep=";",
        encoding="cp1252",
        progress=False,
    )
    out = pd.read_csv(dst, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert report.rows == 7 and len(out) == 7
    assert report.bad_coords == 2 and report.matched == 4
    names = [r.split(";")[0] for r in rows[1:]]
    assert list(out["nom"]) == [("'" + n if n.startswith("=") else n) for n in names]
    assert list(out["longitude"])[:2] == ["-0,5490", "1,8717"]  # a number, never guarded
    assert list(out["commune"]) == ["33039", "23096", "", "", "", "33063", "87085"]


def test_parquet_chunks_match_exact(na: PolySet, points: pd.DataFrame, tmp_path: Path) -> None:
    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    points.to_parquet(src, row_group_size=7_000)
    report = assign.assign_file(na.index, src, dst, "x", "y", chunk_size=10_000, progress=False)
    out = pd.read_parquet(dst)
    assert report.rows == len(points) == len(out)
    assert (out["id"].to_numpy() == points["id"].to_numpy()).all()
    assert (out["polygon"].to_numpy() == na.exact(points["x"], points["y"])).all()
    assert report.peak_rss_mb > 0


def test_missing_column_names_the_file(na: PolySet, tmp_path: Path) -> None:
    src = tmp_path / "pts.csv"
    src.write_text("lon,latitude\n1,45\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"pts\.csv.*lat"):
        assign.assign_file(na.index, src, tmp_path / "o.csv", progress=False)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real local dask cluster: two worker processes on loopback."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit="2GiB",
    )
    with cluster, Client(cluster) as c:
        yield c


def test_dask_engine_matches_numpy_engine(
    na: PolySet, points: pd.DataFrame, index_dir: Path, client: Any, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    points.to_csv(src, index=False)
    dst = tmp_path / "out_dask"
    rows = dask_engine.assign_engine(
        "dask",
        na.index,
        index_dir,
        src,
        dst,
        lon_col="x",
        lat_col="y",
        blocksize="300KB",
        scheduler=client,
    )
    out = pd.read_parquet(dst)
    assert rows == len(points) == len(out)
    assert len(list(dst.glob("*.parquet"))) > 1  # really partitioned
    out = out.astype({"id": int}).sort_values("id")
    assert (out["polygon"].to_numpy() == na.exact(points["x"], points["y"])).all()


def test_dask_geopandas_partitions(
    na: PolySet, points: pd.DataFrame, index_dir: Path, client: Any
) -> None:
    import dask_geopandas
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        points, geometry=gpd.points_from_xy(points["x"], points["y"]), crs="EPSG:4326"
    )
    dgdf = dask_geopandas.from_geopandas(gdf, npartitions=4)
    got = dask_engine.assign_dask_geoseries(dgdf, index_dir).compute(scheduler=client)
    assert (got.sort_index().to_numpy() == na.exact(points["x"], points["y"])).all()


def test_dask_csv_output_equals_numpy_engine(
    na: PolySet, points: pd.DataFrame, index_dir: Path, client: Any, tmp_path: Path
) -> None:
    """Same CSV from both engines (labels, formula-like text made inert)."""
    src = tmp_path / "in.csv"
    pts = points.head(5_000).assign(note=["=1+1", "ok"] * 2_500)
    pts.to_csv(src, index=False, sep=";")
    kw: dict[str, Any] = dict(lon_col="x", lat_col="y", result_col="commune", sep=";")
    labels = list(na.codes)
    a, b = tmp_path / "numpy.csv", tmp_path / "dask.csv"
    dask_engine.assign_engine("numpy", na.index, None, src, a, labels=labels, progress=False, **kw)
    dask_engine.assign_engine(
        "dask", na.index, index_dir, src, b, labels=labels, blocksize="60KB", scheduler=client, **kw
    )
    ra = pd.read_csv(a, sep=";", dtype=str, keep_default_na=False)
    rb = pd.read_csv(b, sep=";", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(ra, rb)
    assert set(ra["note"]) == {"'=1+1", "ok"}
    assert (ra["commune"] != "").sum() == (na.exact(pts["x"], pts["y"]) >= 0).sum()


def test_parquet_nulls_and_text_coordinates(na: PolySet, tmp_path: Path) -> None:
    """Null or text coordinates in Parquet: row kept, no polygon, no crash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "lon": pa.array([-0.5792, None, 1.2611, float("nan")]),
            "lat": pa.array(["44.8378", "45.0", "45,8336", "x"]),
        }
    )
    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    report = assign.assign_file(
        na.index, src, dst, labels=list(na.codes), result_col="commune", progress=False
    )
    out = pq.read_table(dst)
    assert report.rows == 4 and report.bad_coords == 2
    assert out.column("commune").to_pylist() == ["33063", None, "87085", None]
    assert out.column("lat").to_pylist() == table.column("lat").to_pylist()


def test_chunk_dictionaries_hold_only_their_values(na: PolySet, points: pd.DataFrame) -> None:
    """A chunk's commune column names the communes of its rows only (a Parquet row group
    repeats its dictionaries), with the same values as the whole dictionary gives."""
    enc = columns.Encoded.of(text_array(list(na.codes)))
    assert enc.large
    idx = na.index.assign(points["x"].to_numpy()[:5_000], points["y"].to_numpy()[:5_000])
    present = columns.distinct_positions(idx, na.index.n_polys)
    whole, cut = enc.take(idx), enc.take(idx, present)
    assert cut.to_pylist() == whole.to_pylist() == [na.codes[i] if i >= 0 else None for i in idx]
    assert sorted(cut.dictionary.to_pylist()) == sorted({na.codes[i] for i in idx if i >= 0})
    assert len(whole.dictionary) == len(na.codes)


def test_chunk_workers_yield_to_the_writer() -> None:
    """The pool's threads run below the thread that writes their results (Linux)."""
    import os
    import sys
    import threading

    def nice(item: int) -> tuple[int, int]:
        return item, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    got = list(pool.ordered_map(nice, range(20), workers=2, in_flight=3))
    assert [item for item, _ in got] == list(range(20))  # in order
    if sys.platform == "linux":
        assert {level for _, level in got} == {min(base + pool.WORKER_NICE, 19)}


def test_columns_given_as_functions(na: PolySet, points: pd.DataFrame, tmp_path: Path) -> None:
    """Columns computed on a thread of their own give the same file; their error reaches
    the caller, even for a file without rows."""
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    points.to_parquet(src)
    codes = list(na.codes)
    eager, lazy = tmp_path / "eager.parquet", tmp_path / "lazy.parquet"
    kwargs: dict[str, Any] = {"lon_col": "x", "lat_col": "y", "progress": False}
    assign.assign_file(na.index, src, eager, columns={"code": codes}, **kwargs)
    assign.assign_file(na.index, src, lazy, columns={"code": lambda: codes}, **kwargs)
    assert pq.read_table(lazy).equals(pq.read_table(eager))

    def broken() -> list[str]:
        raise InvalidInputError("magasin illisible")

    empty = tmp_path / "empty.csv"
    empty.write_text("x,y\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="magasin illisible"):
        assign.assign_file(na.index, empty, tmp_path / "o.csv", columns={"c": broken}, **kwargs)
    assert not (tmp_path / "o.csv").exists()
