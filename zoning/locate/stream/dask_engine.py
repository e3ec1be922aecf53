"""The dask engine of ``zoning assign``: :meth:`PointIndex.assign` on the partitions of a
dask (or dask-geopandas) frame, each worker opening the saved index from disk once.

dask's frame methods have no annotations: they are called on frames handled as ``Any``
(mypy --strict refuses untyped calls), and what they return is typed here, where the
meaning is known.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import numpy.typing as npt

from zoning.io.atomic import atomic_path, check_output
from zoning.io.csvstream import check_columns
from zoning.locate.stream.assign import assign_file
from zoning.locate.stream.read import coords_of, is_parquet
from zoning.pointindex import PointIndex

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

Engine = Literal["numpy", "dask"]

_INDEX_CACHE: dict[str, PointIndex] = {}


def _cached_index(folder: str) -> PointIndex:
    """One memory-mapped index per worker process and folder."""
    if folder not in _INDEX_CACHE:
        _INDEX_CACHE[folder] = PointIndex.load(folder)
    return _INDEX_CACHE[folder]


def label_column(idx: npt.NDArray[np.int64], labels: Sequence[str] | None) -> npt.NDArray[Any]:
    """Result values: the polygon index, or its label (``None`` when no polygon)."""
    if labels is None:
        return idx
    lab = np.asarray(labels, dtype=object)
    out = np.full(idx.size, None, dtype=object)
    hit = idx >= 0
    out[hit] = lab[idx[hit]]
    return out


def _assign_partition(
    df: pd.DataFrame,
    folder: str,
    lon_col: str,
    lat_col: str,
    result_col: str,
    labels: Sequence[str] | None,
    neutralise: bool = False,
) -> pd.DataFrame:
    lon, lat = coords_of(df, lon_col, lat_col)
    out = df.copy()
    out[result_col] = label_column(_cached_index(folder).assign(lon, lat), labels)
    from zoning.io.cells import neutralise_frame

    return neutralise_frame(out) if neutralise else out


def assign_dask_frame(
    ddf: dd.DataFrame,
    index_dir: str | Path,
    lon_col: str = "lon",
    lat_col: str = "lat",
    result_col: str = "polygon",
    labels: Sequence[str] | None = None,
    neutralise: bool = False,
) -> dd.DataFrame:
    """Add ``result_col`` (polygon index, or label) to every partition of a dask DataFrame.

    The index must have been saved (:meth:`PointIndex.save`) in ``index_dir``,
    readable by every worker. ``neutralise`` makes formula-like text inert (for CSV).
    """
    meta = ddf._meta.copy()
    meta[result_col] = np.zeros(0, dtype=np.int64) if labels is None else np.zeros(0, dtype=object)
    lab = None if labels is None else list(labels)
    # map_partitions is unannotated in dask (an untyped call to mypy --strict), hence the
    # cast; given a frame as ``meta``, it returns a dask DataFrame.
    out: dd.DataFrame = cast(Any, ddf).map_partitions(
        _assign_partition,
        str(index_dir),
        lon_col,
        lat_col,
        result_col,
        lab,
        neutralise,
        meta=meta,
    )
    return out


def _assign_geo_partition(gdf: Any, folder: str) -> pd.Series:
    import pandas as pd

    geom = gdf.geometry
    res = _cached_index(folder).assign(geom.x.to_numpy(), geom.y.to_numpy())
    return pd.Series(res, index=gdf.index, dtype=np.int64)


def assign_dask_geoseries(dgdf: Any, index_dir: str | Path) -> Any:
    """Polygon index of every point of a dask-geopandas GeoDataFrame (EPSG:4326).

    Returns
    -------
    dask.dataframe.Series
        ``int64`` per row, ``-1`` for no polygon, empty or non-point geometry.
    """
    import pandas as pd

    return dgdf.map_partitions(
        _assign_geo_partition, str(index_dir), meta=pd.Series(dtype=np.int64)
    )


def assign_file_dask(
    index_dir: str | Path,
    src: str | Path,
    dst: str | Path,
    lon_col: str = "lon",
    lat_col: str = "lat",
    result_col: str = "polygon",
    labels: Sequence[str] | None = None,
    blocksize: str = "64MB",
    sep: str = ",",
    encoding: str = "utf-8",
    scheduler: str | Any | None = None,
) -> int:
    """The dask engine of :func:`assign_file`: same result, partitions in parallel.

    Parameters
    ----------
    index_dir : path
        Folder of a saved :class:`PointIndex`.
    src, dst : path
        Input CSV/Parquet; output Parquet folder (one file per partition) or,
        for a ``.csv`` destination, one CSV file.
    scheduler : str or distributed.Client, optional
        Passed to ``compute``; ``None`` uses the current default (a
        ``distributed.Client`` if one is active).

    Returns
    -------
    int
        Rows written.
    """
    from zoning._compat import import_optional

    dask = import_optional("dask")
    dd = import_optional("dask.dataframe")

    src, dst = Path(src), Path(dst)
    if is_parquet(src):
        ddf = dd.read_parquet(str(src), blocksize=blocksize)
    else:
        ddf = dd.read_csv(
            str(src),
            sep=sep,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            blocksize=blocksize,
        )
    check_columns(src, list(ddf.columns), None, lon_col, lat_col)
    check_output(dst, src, folder=True)
    to_csv = dst.suffix.lower() == ".csv"
    # dask's writers and map_partitions are unannotated (untyped calls to mypy --strict):
    # the frame is handled as Any from here.
    out: Any = assign_dask_frame(ddf, index_dir, lon_col, lat_col, result_col, labels, to_csv)
    kwargs: dict[str, Any] = {} if scheduler is None else {"scheduler": scheduler}
    with atomic_path(dst, folder=not to_csv) as tmp:
        if to_csv:
            write = out.to_csv(
                str(tmp), single_file=True, index=False, sep=sep, encoding=encoding,
                lineterminator="\r\n", compute=False,
            )  # fmt: skip
        else:
            write = out.to_parquet(str(tmp), write_index=False, compute=False)
        # One compute for the write and the count, so partitions are read once. The
        # CSV writer is a legacy graph: dask warns that it materialises the mix.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Computing mixed collections")
            _, rows = dask.compute(write, out.map_partitions(len).sum(), **kwargs)
    return int(rows)


def assign_engine(
    engine: Engine,
    index: PointIndex,
    index_dir: str | Path | None,
    src: str | Path,
    dst: str | Path,
    **kwargs: Any,
) -> int:
    """Run :func:`assign_file` (``numpy``) or :func:`assign_file_dask` (``dask``).

    Returns the number of rows written. The dask engine needs ``index_dir``.
    """
    if engine == "numpy":
        return assign_file(index, src, dst, **kwargs).rows
    if index_dir is None:
        raise ValueError("the dask engine needs the folder of a saved index")
    kwargs.pop("chunk_size", None)
    kwargs.pop("progress", None)
    return assign_file_dask(index_dir, src, dst, **kwargs)
