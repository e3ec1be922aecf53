"""What a spreadsheet cell may hold: the formula guard, and values made safe for a cell.

Spreadsheets run a cell starting with ``= + - @`` (or tab/CR) as a formula: text
cells get a leading apostrophe (:func:`neutralise`, the project's only formula guard).
Numbers are never touched, and neither is text that is a plain negative number such
as ``-0.18526`` or ``-0,57``: a spreadsheet reads it as a number, never as a formula,
and an apostrophe would turn a coordinate into text nobody can read back. Every
writer of :mod:`zoning.io.write` and :mod:`zoning.io.xlsx` goes through here.
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: First characters that make a spreadsheet cell a formula (OWASP CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START)
_NEGATIVE_NUMBER = re.compile(r"-(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: Characters XML 1.0 (hence XLSX) cannot hold.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters a spreadsheet cell holds at most.
EXCEL_CELL_CHARS = 32_767


def neutralise(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    Only ``str`` values are guarded; numbers, dates and ``None`` come back unchanged,
    as does text that is a plain negative number (``-0.5``, ``-0,5``, ``-3e2``).
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` on every text cell and the column names (a copy if anything changes).

    Numeric and boolean columns are left as they are: a number stays a number.
    """
    import pandas as pd

    out = frame
    renamed = [neutralise(c) for c in frame.columns]
    if renamed != list(frame.columns):
        out = frame.copy()
        out.columns = renamed
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue  # dates, categories of numbers...
        try:
            risky = s.str[:1].isin(FORMULA_START).fillna(False).astype(bool)
        except AttributeError:  # an object column holding no text at all
            continue
        if not risky.any():
            continue
        sub = s[risky]
        guard = ~sub.str.fullmatch(_NEGATIVE_NUMBER.pattern).fillna(False).astype(bool)
        if not guard.any():
            continue
        if out is frame:
            out = frame.copy()
        column = out.iloc[:, i].astype(object)
        column[guard[guard].index] = "'" + sub[guard]
        out.isetitem(i, column.to_numpy(dtype=object))
    return out


def excel_value(value: Any) -> Any:
    """A value a spreadsheet holds as it is, formula-guarded.

    NaN, infinities and pandas' missing values become empty cells; characters XML
    cannot hold become their visible « control picture » (``\\x07`` -> ``␇``); text
    beyond a cell's 32 767 characters is cut there (Excel holds no more); other objects
    become text.
    """
    kind = type(value)
    # Text and numbers first, by exact type: a batch sends some hundred thousand cells.
    if kind is str:
        if not value.isprintable() and XML_ILLEGAL.search(value):
            value = XML_ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), value)
        if value[:1] in _FORMULA_FIRST:
            value = neutralise(value)
        return value[:EXCEL_CELL_CHARS]
    if kind is int or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or pandas_missing(value):
        return None
    if isinstance(value, str):  # a str subclass
        return excel_value(str(value))
    if isinstance(value, (int, float)):
        return excel_value(float(value) if isinstance(value, float) else int(value))
    if hasattr(value, "isoformat"):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return excel_value(value.item())
    return excel_value(str(value))


def pandas_missing(value: Any) -> bool:
    """Whether ``value`` is pandas' NA or NaT (without importing pandas for it: a value
    can only be one of them once pandas is loaded)."""
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)
