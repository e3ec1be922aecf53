"""addok plugin loaded by our addok config: ``/search/csv`` with per-row filters that work.

Why: since addok 1.3.1, ``View.match_filters`` returns every filter as a *list* of
column names (multi-value filters), but addok-csv 1.1.0 (the latest release) still
looks each one up as a single column (``row.get(["cp"])``), so ``-F postcode=cp``
answers HTTP 500 ``TypeError: unhashable type: 'list'``. falcon is not the cause
(addok pins falcon==4.0.2 anyway). This plugin serves the same CSV endpoints with a
``match_row_filters`` that accepts both shapes; addok-csv's own registration is
blocked by the config module so that only these routes exist.
"""

from __future__ import annotations

from typing import Any

from addok_csv import CSVReverse, CSVSearch


def row_filters(row: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
    """Values of the filter columns for one CSV row; empty values filter nothing.

    Parameters
    ----------
    row
        The CSV row (column -> value).
    filters
        Filter name -> column name, or list of column names (addok >= 1.3.1).
    """
    out: dict[str, Any] = {}
    for name, columns in filters.items():
        names = [columns] if isinstance(columns, str) else list(columns)
        values = [str(row.get(column) or "").strip() for column in names]
        values = [v for v in values if v]
        if values:
            out[name] = values[0] if len(values) == 1 else values
    return out


class RowFilterMixin:
    """Replaces addok-csv's ``match_row_filters`` with :func:`row_filters`."""

    def match_row_filters(self, row: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
        return row_filters(row, filters)


class FixedCSVSearch(RowFilterMixin, CSVSearch):
    """``/search/csv`` with working per-row filters."""


class FixedCSVReverse(RowFilterMixin, CSVReverse):
    """``/reverse/csv`` with working per-row filters."""


def register_http_endpoint(api: Any) -> None:
    """addok hook: add the CSV routes."""
    api.add_route("/search/csv", FixedCSVSearch())
    api.add_route("/reverse/csv", FixedCSVReverse())
