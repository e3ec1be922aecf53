"""Per-polygon columns, dictionary-encoded once, taken for each chunk.

Each added column is dictionary-encoded once per polygon set (distinct values + one
small integer per polygon), and a chunk's column is a numpy take of those integers by
polygon index (its dictionary cut down to the chunk's values), never a Python loop per
row, never pandas or ``pyarrow.compute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zoning.io.arrow import dictionary_array, numpy_of, take_text

#: A dictionary of more values than this is cut down to the values of each chunk
#: (:meth:`Encoded.take`).
COMPACT_ABOVE = 1024
#: One value per polygon.
Values: TypeAlias = Sequence[Any] | npt.NDArray[Any] | pa.Array
#: The values, or a function returning them (called once, off the main thread).
LazyValues: TypeAlias = Values | Callable[[], Values]


@dataclass(frozen=True)
class Encoded:
    """A per-polygon column, dictionary-encoded once.

    Attributes
    ----------
    dictionary : pyarrow.Array
        The distinct values.
    codes : numpy.ndarray
        ``int32`` position in ``dictionary`` of each polygon's value (``-1``: none),
        plus a trailing ``-1``, so that polygon index ``-1`` (no polygon) takes it.
    """

    dictionary: pa.Array
    codes: npt.NDArray[np.int32]

    @classmethod
    def of(cls, values: Values) -> Encoded:
        """Encode one value per polygon (``None`` for none); a dictionary array is
        taken as it is."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        arr = values if isinstance(values, pa.Array) else pa.array(list(values))
        encoded = arr if isinstance(arr, pa.DictionaryArray) else arr.dictionary_encode()
        codes = numpy_of(encoded.indices, np.int32, -1)
        return cls(encoded.dictionary, np.append(codes, np.int32(-1)))

    @property
    def large(self) -> bool:
        """Whether a chunk's column gets a dictionary of its own values only (text)."""
        kind = self.dictionary.type
        return len(self.dictionary) > COMPACT_ABOVE and (
            pa.types.is_string(kind) or pa.types.is_large_string(kind)
        )

    def take(
        self, idx: npt.NDArray[np.int64], present: npt.NDArray[np.int64] | None = None
    ) -> pa.DictionaryArray:
        """The column for points whose polygon indexes are ``idx`` (``-1``: none).

        With ``present`` (the distinct polygons of ``idx``, :func:`distinct_positions`), a
        :attr:`large` dictionary is cut down to the values of those polygons: a Parquet
        row group repeats the whole dictionary of each of its columns, the 35 000
        commune names for rows that name a few thousand.
        """
        dictionary = self.dictionary
        if present is None or not self.large:
            codes = self.codes[idx]
        else:
            kept = distinct_positions(self.codes[present], len(dictionary))
            position = np.full(len(dictionary) + 1, -1, dtype=np.int32)
            position[kept] = np.arange(kept.size, dtype=np.int32)
            codes = position[self.codes][idx]
            dictionary = take_text(dictionary, kept)
        return dictionary_array(codes, dictionary, codes >= 0)


def distinct_positions(at: npt.NDArray[np.integer[Any]], size: int) -> npt.NDArray[np.int64]:
    """The distinct values of ``at``, positions below ``size`` or ``-1`` (left out),
    ascending: one scatter, no sort."""
    seen = np.zeros(size + 1, dtype=bool)
    seen[at] = True  # -1 marks the extra last slot
    return np.flatnonzero(seen[:-1])


#: Added columns, by name.
Encodings: TypeAlias = list[tuple[str, Encoded]]


def encode(columns: Sequence[tuple[str, LazyValues]]) -> Encodings:
    """Dictionary-encode columns given by name, computing the lazy ones now."""
    return [
        (name, Encoded.of(values() if callable(values) else values)) for name, values in columns
    ]


def taken(
    encoded: Encodings, idx: npt.NDArray[np.int64], n_polys: int
) -> Iterator[tuple[str, pa.DictionaryArray]]:
    """The added columns of one polygon set for a chunk whose polygons are ``idx``."""
    present = distinct_positions(idx, n_polys) if any(e.large for _, e in encoded) else None
    return ((name, enc.take(idx, present)) for name, enc in encoded)
