"""Arrow arrays read and built through their buffers, checked against pyarrow's own
conversions (``to_pylist``), never against the helpers themselves."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from zoning.io.arrow import fixed_width, int_array, numpy_of, take_text, text_array

WORDS = ["Saint-Étienne", "", "Ø", "Bordeaux", "a" * 40, "Guéret", "23096"]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_take_text_is_python_indexing(kind: pa.DataType) -> None:
    arr = pa.array(WORDS, type=kind).slice(1)  # an offset into the buffers too
    words = WORDS[1:]
    rows = np.array([5, 0, 0, 3, 1, 4, 2])
    taken = take_text(arr, rows)
    assert taken.type == kind
    assert taken.to_pylist() == [words[i] for i in rows]
    assert take_text(arr, np.zeros(0, dtype=np.int64)).to_pylist() == []


def test_fixed_width_sorts_and_matches_like_the_bytes() -> None:
    arr = pa.array([*WORDS, None])
    got = fixed_width(arr)
    assert [v.decode() for v in got] == [*WORDS, ""]
    assert sorted(got.tolist()) == sorted(w.encode() for w in [*WORDS, ""])
    codes = pa.array(["23096", "33063", "2A004"], type=pa.large_string()).slice(1)
    same_width = fixed_width(codes)  # one width: a view of the bytes
    assert same_width.dtype == np.dtype("S5") and same_width.tolist() == [b"33063", b"2A004"]


@pytest.mark.parametrize("kind", ["int8", "int16", "int32", "int64", "uint16", "float32"])
def test_numpy_of_numbers_with_nulls(kind: str) -> None:
    values = [1, None, 3, 4, None, 6]
    arr = pa.array(values, type=pa.from_numpy_dtype(np.dtype(kind))).slice(1)
    got = numpy_of(arr, np.int64, -7)
    assert got.tolist() == [-7 if v is None else v for v in values[1:]]


def test_built_arrays_read_back() -> None:
    values = np.array([5, 0, -1, 9], dtype=np.int32)
    assert int_array(values, values >= 0).to_pylist() == [5, 0, None, 9]
    assert int_array(values.astype(np.int64)).type == pa.int64()
    assert text_array(WORDS).to_pylist() == WORDS
