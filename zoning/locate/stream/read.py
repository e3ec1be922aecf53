"""The input of ``zoning assign`` in chunks (CSV or Parquet), and their coordinates.

CSV cells are read as text (nothing is lost or reinterpreted); Parquet is read
memory-mapped, in Arrow tables or pandas frames.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zoning.errors import InvalidInputError
from zoning.io.arrow import numpy_of
from zoning.io.csvstream import (
    check_columns,
    check_text_file,
    record_frames,
    records_of,
    sniff_file,
    text_encoding,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.parquet as pq

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 1_000_000


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is read as Parquet (by extension, or a folder of parts)."""
    return path.suffix.lower() in {".parquet", ".pq"} or path.is_dir()


def read_chunks(
    path: str | Path,
    lon_col: str,
    lat_col: str,
    chunk_size: int = DEFAULT_CHUNK,
    sep: str | None = None,
    encoding: str = "auto",
) -> Iterator[pd.DataFrame]:
    """Yield ``path`` in DataFrames of at most ``chunk_size`` rows.

    CSV cells are read as text (nothing is lost or reinterpreted); ``lon_col`` and
    ``lat_col`` must exist.

    Raises
    ------
    InvalidInputError
        A coordinate column is missing, or the file is not a readable CSV (the
        message names the file). ``sep=None`` sniffs the separator; ``encoding="auto"``
        decodes line by line (UTF-8, else Windows-1252).
    """
    path = Path(path)
    if is_parquet(path):
        for table in arrow_chunks(path, lon_col, lat_col, chunk_size):
            yield table.to_pandas()
        return
    check_text_file(path)
    encoding = text_encoding(encoding, path)
    if sep is None or sep == "auto":
        sep = sniff_file(path, encoding)
    with path.open("rb") as raw:
        lines, records = records_of(raw, sep, path.name, encoding)
        yield from record_frames(path, records, sep, lon_col, lat_col, chunk_size)
    if lines.cp1252_lines:
        log.warning(
            "%s: %d line(s) not valid UTF-8, read as Windows-1252 (first: line %d)",
            path.name,
            len(lines.cp1252_lines),
            lines.cp1252_lines[0],
        )


def _parquet(path: Path) -> pq.ParquetFile:
    """Open a Parquet file, or say in French that it is not one.

    Memory-mapped: pages are decoded straight from the file cache. Read into buffers, a
    row group's columns are copied whole into fresh memory first (2 M points: 0.1 s of
    CPU more, and the first chunk waits 20 to 80 ms for it).
    """
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path, memory_map=True)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInputError(
            f"{path.name} : fichier Parquet illisible (vide, tronqué ou d'un autre format)"
        ) from exc


def arrow_chunks(path: Path, lon_col: str, lat_col: str, chunk_size: int) -> Iterator[pa.Table]:
    """Parquet in ``pyarrow.Table`` chunks of at most ``chunk_size`` rows."""
    pf = _parquet(path)
    check_columns(path, pf.schema_arrow.names, None, lon_col, lat_col)
    for batch in pf.iter_batches(batch_size=chunk_size):
        yield pa.Table.from_batches([batch])


def row_count(path: Path) -> int | None:
    """Rows of a Parquet file from its footer; ``None`` for CSV (not worth a pass)."""
    if not is_parquet(path):
        return None
    return int(_parquet(path).metadata.num_rows)


def _numbers(values: Any) -> npt.NDArray[np.float64]:
    """float64 of a pandas or Arrow column; text such as ``"-0,57"`` (French decimal
    comma) is accepted, anything else not a number becomes NaN."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        if pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
            return numpy_of(values, np.float64, np.nan)
        values = values.to_pandas()
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    # ``values`` is a pandas Series here, typed Any (it came in as either kind of column):
    # to_numpy with a float64 dtype gives exactly the annotated array.
    numbers: npt.NDArray[np.float64] = pd.to_numeric(values, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return numbers


def coords_of(df: Any, lon_col: str, lat_col: str) -> tuple[npt.NDArray[np.float64], ...]:
    """Coordinates of a chunk (DataFrame or Arrow table) as float64; text such as
    ``"-0,57"`` (French decimal comma) is accepted, anything else not a number
    becomes NaN."""
    if isinstance(df, pa.Table | pa.RecordBatch):
        return _numbers(df.column(lon_col)), _numbers(df.column(lat_col))
    return _numbers(df[lon_col]), _numbers(df[lat_col])
