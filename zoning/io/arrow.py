"""Arrow arrays to and from numpy through their raw buffers.

pyarrow imports pandas (~0.3 s) the first time it converts to or from numpy or Python
objects (``pa.array``, ``to_numpy``, ``pa.scalar``): the Parquet to Parquet path of
``zoning assign`` goes through raw buffers instead, and never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

#: numpy type of the Arrow numbers read straight from their buffer.
_NUMBERS = "int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64"
_NUMPY_OF = {pa.from_numpy_dtype(np.dtype(t)): np.dtype(t) for t in _NUMBERS.split()}


def _valid_bits(valid: npt.NDArray[np.bool_]) -> pa.Buffer | None:
    """Arrow validity bitmap of a boolean mask (``None`` when all are valid)."""
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def int_array(values: npt.NDArray[Any], valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """An Arrow integer array over a numpy array, nulls where not ``valid``."""
    values = np.ascontiguousarray(values)
    kind = pa.from_numpy_dtype(values.dtype)
    bits = None if valid is None else _valid_bits(valid)
    nulls = 0 if bits is None or valid is None else int(valid.size - np.count_nonzero(valid))
    return pa.Array.from_buffers(kind, values.size, [bits, pa.py_buffer(values)], nulls)


def dictionary_array(
    codes: npt.NDArray[np.integer[Any]], dictionary: pa.Array, valid: npt.NDArray[np.bool_]
) -> pa.DictionaryArray:
    """Values ``dictionary[codes]``, null where not ``valid`` (the codes of valid rows
    must be positions in ``dictionary``: they are not checked)."""
    indices = int_array(codes.astype(np.int32, copy=False), valid)
    return pa.DictionaryArray.from_arrays(indices, dictionary, safe=False)


def text_array(values: Sequence[str]) -> pa.Array:
    """An Arrow ``string`` array of Python strings, built from buffers (``pa.array``
    would import pandas)."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(data), buffers)


def numpy_of(arr: pa.Array | pa.ChunkedArray, dtype: Any, fill: Any) -> npt.NDArray[Any]:
    """A fixed-width Arrow array as numpy ``dtype``, nulls as ``fill``: numbers are read
    from their buffer and converted by numpy, anything else is cast by Arrow first."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    native = _NUMPY_OF.get(arr.type)
    if native is None:  # not a plain number: Arrow casts it (this imports pyarrow.compute)
        arr = arr.cast(pa.from_numpy_dtype(np.dtype(dtype)))
        native = np.dtype(dtype)
    n, offset = len(arr), arr.offset
    bits, data = arr.buffers()[:2]
    if data is None:  # length zero
        return np.zeros(n, dtype=dtype)
    values = np.frombuffer(data, dtype=native, count=n + offset)[offset:].astype(dtype, copy=False)
    if arr.null_count and bits is not None:
        raw = np.frombuffer(bits, dtype=np.uint8)
        valid = np.unpackbits(raw, bitorder="little", count=n + offset)[offset:].astype(bool)
        values = np.where(valid, values, fill)
    return values


def _text_buffers(arr: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Offsets (``len + 1``, int64) and bytes of a ``string``/``large_string`` array."""
    wide = pa.types.is_large_string(arr.type)
    if not (wide or pa.types.is_string(arr.type)):
        raise TypeError(f"expected a string array, got {arr.type}")
    _, offsets, data = arr.buffers()
    n, start = len(arr), arr.offset
    kind = np.int64 if wide else np.int32
    if offsets is None:  # length zero
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    where = np.frombuffer(offsets, dtype=kind, count=n + 1 + start)[start:].astype(np.int64)
    raw = np.zeros(0, dtype=np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
    return where, raw


def _gather(
    offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8], rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The bytes of strings ``rows``, one after the other, with their new offsets and
    their lengths."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    ends = np.cumsum(lengths)
    # Byte k of the output comes from starts[row] + (k - start of its row in the output).
    shift = np.repeat(starts - (ends - lengths), lengths)
    picked = data[np.arange(int(ends[-1]) if ends.size else 0) + shift]
    return np.concatenate([[0], ends]), picked, lengths


def take_text(arr: pa.Array, rows: npt.NDArray[np.integer[Any]]) -> pa.Array:
    """``arr[rows]`` for a string array without nulls, in numpy (``Array.take`` would
    import ``pyarrow.compute``: 50 ms of function wrappers)."""
    offsets, data = _text_buffers(arr)
    new_offsets, picked, _ = _gather(offsets, data, np.asarray(rows, dtype=np.int64))
    if pa.types.is_string(arr.type):
        new_offsets = new_offsets.astype(np.int32)
    buffers = [None, pa.py_buffer(new_offsets), pa.py_buffer(picked)]
    return pa.Array.from_buffers(arr.type, len(rows), buffers)


def fixed_width(arr: pa.Array) -> npt.NDArray[np.bytes_]:
    """A string array as a numpy ``S`` array (UTF-8 bytes, NUL-padded), for sorting and
    matching codes in numpy; nulls read as ``b""``."""
    offsets, data = _text_buffers(arr)
    lengths = np.diff(offsets)
    if lengths.size and arr.null_count == 0 and (lengths == lengths[0]).all() and lengths[0]:
        # Codes of one width (INSEE, QPV): the bytes are already the array.
        return data[offsets[0] : offsets[-1]].view(f"S{lengths[0]}")
    rows = np.arange(len(arr), dtype=np.int64)
    _, picked, lengths = _gather(offsets, data, rows)
    width = max(1, int(lengths.max()) if lengths.size else 1)
    out = np.zeros((len(arr), width), dtype=np.uint8)
    row_of = np.repeat(rows, lengths)
    col_of = np.arange(picked.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[row_of, col_of] = picked
    return out.view(f"S{width}").ravel()
