"""Keyed lookups (commune code, postal code, code movements) in one SQLite file.

``zoning check`` must answer from a cold process in well under a second: SQLite opens
instantly, answers a keyed query in microseconds and is in the standard library, so the
commune path imports neither pandas nor pyarrow. The Parquet tables stay the store's bulk
format (maps, batches); this file holds the same rows, indexed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FILENAME = "lookup.sqlite"
#: Values per ``IN (...)`` list: under SQLite's historical cap of 999 parameters.
_IN_SLICE = 900

# table -> columns to index
_INDEXES = {
    "communes": ["code"],
    "zones": ["decree_id, code"],
    "code_map": ["old_code", "new_code"],
    "later_communes": ["code"],
    "qpv_communes": ["commune"],
    "postal": ["postcode", "code"],
    "qpv_polygon_codes": ["code_qp"],
}


def write_keyed(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the tables named in ``_INDEXES`` to an SQLite file, with their indexes."""
    with sqlite3.connect(path) as db:
        for name, frame in tables.items():
            frame.to_sql(name, db, index=False, if_exists="replace")
            for number, columns in enumerate(_INDEXES.get(name, [])):
                db.execute(f"CREATE INDEX idx_{name}_{number} ON {name} ({columns})")
    # sqlite3's context manager commits but does not close
    sqlite3.connect(path).close()


class KeyedIndex:
    """Read-only keyed queries on a store's ``lookup.sqlite``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def _tuples(self, sql: str, params: Iterable[Any] = ()) -> tuple[list[str], list[Any]]:
        """Column names and plain row tuples of a query."""
        try:
            cursor = self.db.execute(sql, tuple(params))
            return [c[0] for c in cursor.description or ()], cursor.fetchall()
        except sqlite3.DatabaseError as exc:  # a truncated or overwritten lookup.sqlite
            from zoning.store.integrity import damaged

            raise damaged(self.path.parent, self.path.name, exc) from exc

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        # Plain tuples zipped with the column names: half the cost of sqlite3.Row turned
        # into dicts, on the thousands of rows of a batch's bulk queries.
        names, rows = self._tuples(sql, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def commune(self, code: str) -> dict[str, Any] | None:
        """``code, name, departement, region, population`` of a commune of the vintage."""
        rows = self._rows("SELECT * FROM communes WHERE code = ?", [code])
        return rows[0] if rows else None

    def names(self, codes: Iterable[str]) -> dict[str, str]:
        """Names of several communes."""
        codes = list(codes)
        marks = ",".join("?" * len(codes))
        rows = self._rows(f"SELECT code, name FROM communes WHERE code IN ({marks})", codes)
        return {r["code"]: r["name"] for r in rows}

    def _tuples_in(
        self, sql: str, values: Iterable[Any], params: Iterable[Any] = ()
    ) -> tuple[list[str], list[Any]]:
        """:meth:`_tuples` of ``sql`` with its ``{marks}`` replaced by placeholders for
        ``values``, run in slices (SQLite caps the number of parameters of a statement)."""
        values, params = list(values), list(params)
        names: list[str] = []
        out: list[Any] = []
        for lo in range(0, len(values), _IN_SLICE):
            part = values[lo : lo + _IN_SLICE]
            marks = ",".join("?" * len(part))
            names, rows = self._tuples(sql.format(marks=marks), [*part, *params])
            out += rows
        return names, out

    def _rows_in(
        self, sql: str, values: Iterable[Any], params: Iterable[Any] = ()
    ) -> list[dict[str, Any]]:
        """:meth:`_tuples_in` as dicts."""
        names, rows = self._tuples_in(sql, values, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def communes_of(self, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """:meth:`commune` for many codes (codes not of the vintage are left out)."""
        sql = "SELECT * FROM communes WHERE code IN ({marks})"
        return {r["code"]: r for r in self._rows_in(sql, codes)}

    def classes_of(self, decree_id: str, codes: Iterable[str]) -> dict[str, tuple[str, str]]:
        """``(zone, note)`` of many communes under one decree, by code (plain tuples: the
        batch's bulk path asks for thousands, and dicts were most of the query's cost)."""
        sql = "SELECT code, zone, note FROM zones WHERE code IN ({marks}) AND decree_id = ?"
        return {c: (z, n) for c, z, n in self._tuples_in(sql, codes, [decree_id])[1]}

    def events_from_many(
        self, codes: Iterable[str], after: str, until: str
    ) -> dict[str, list[dict[str, Any]]]:
        """:meth:`events_from` of each code, by code, in the same order."""
        sql = (
            "SELECT * FROM code_map WHERE old_code IN ({marks}) AND date != '' "
            "AND date > ? AND date <= ? ORDER BY date, rowid"
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self._rows_in(sql, codes, [after, until]):
            out.setdefault(row["old_code"], []).append(row)
        return out

    def qpv_of_many(self, communes: Iterable[str]) -> dict[str, list[str]]:
        """:meth:`qpv_of` for many communes (communes with none are left out)."""
        sql = (
            "SELECT commune, code_qp FROM qpv_communes WHERE commune IN ({marks}) ORDER BY code_qp"
        )
        out: dict[str, list[str]] = {}
        for row in self._rows_in(sql, communes):
            out.setdefault(row["commune"], []).append(row["code_qp"])
        return out

    def zone(self, decree_id: str, code: str) -> dict[str, Any] | None:
        """The zones row of a commune under a decree."""
        rows = self._rows("SELECT * FROM zones WHERE decree_id = ? AND code = ?", [decree_id, code])
        return rows[0] if rows else None

    def events_from(self, codes: Iterable[str], after: str, until: str) -> list[dict[str, Any]]:
        """Dated movements leaving these codes with ``after < date <= until``."""
        codes = list(codes)
        marks = ",".join("?" * len(codes))
        return self._rows(
            f"SELECT * FROM code_map WHERE old_code IN ({marks}) AND date != '' "
            "AND date > ? AND date <= ? ORDER BY date, rowid",
            [*codes, after, until],
        )

    def events_to(self, codes: Iterable[str], after: str, before: str) -> list[dict[str, Any]]:
        """Dated movements arriving at these codes with ``after < date < before``."""
        codes = list(codes)
        marks = ",".join("?" * len(codes))
        return self._rows(
            f"SELECT * FROM code_map WHERE new_code IN ({marks}) AND date != '' "
            "AND date > ? AND date < ? ORDER BY date",
            [*codes, after, before],
        )

    def parent(self, code: str) -> dict[str, Any] | None:
        """The commune a COMD / COMA / ARM code belongs to (undated rows of ``code_map``)."""
        rows = self._rows("SELECT * FROM code_map WHERE old_code = ? AND date = ''", [code])
        return rows[0] if rows else None

    def parents_of(self, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """:meth:`parent` for many codes (codes with none are left out)."""
        sql = "SELECT * FROM code_map WHERE old_code IN ({marks}) AND date = ''"
        return {r["old_code"]: r for r in self._rows_in(sql, codes)}

    def qpv_of(self, commune: str) -> list[str]:
        """QPV codes listed for a commune."""
        rows = self._rows(
            "SELECT code_qp FROM qpv_communes WHERE commune = ? ORDER BY code_qp", [commune]
        )
        return [r["code_qp"] for r in rows]

    def has_qpv_polygon(self, codes: Iterable[str]) -> bool:
        """Whether the store holds a perimeter for any of these QPV codes."""
        codes = list(codes)
        if not codes:
            return False
        marks = ",".join("?" * len(codes))
        sql = f"SELECT 1 FROM qpv_polygon_codes WHERE code_qp IN ({marks}) LIMIT 1"
        return bool(self._rows(sql, codes))

    def reference_point(self, code: str) -> tuple[float, float] | None:
        """La Poste's reference point (lon, lat) of a commune: for display, not an address."""
        rows = self._rows(
            "SELECT lon, lat FROM postal WHERE code = ? AND lon IS NOT NULL "
            "ORDER BY since, postcode LIMIT 1",
            [code],
        )
        return (rows[0]["lon"], rows[0]["lat"]) if rows else None

    def polygon_codes(self, table: str) -> list[str]:
        """Codes of ``communes`` or ``qpv_polygons`` in the row order of their Parquet tables."""
        sql = {
            "communes": "SELECT code FROM communes ORDER BY rowid",
            "qpv_polygons": "SELECT code_qp FROM qpv_polygon_codes ORDER BY rowid",
        }[table]
        try:  # plain values: 35 000 rows turned into dicts cost a tenth of a second
            return [row[0] for row in self.db.execute(sql)]
        except sqlite3.DatabaseError as exc:  # a truncated or overwritten lookup.sqlite
            from zoning.store.integrity import damaged

            raise damaged(self.path.parent, self.path.name, exc) from exc

    def later(self, code: str) -> list[dict[str, Any]]:
        """Communes that took this code or name after the vintage, oldest first
        (``code, name, since, kind, members, check``)."""
        return self._rows(
            "SELECT * FROM later_communes WHERE code = ? ORDER BY since, rowid", [code]
        )

    def latest_taking(self, code: str, until: str = "9999") -> dict[str, Any] | None:
        """The latest commune that took ``code`` after the vintage, by ``until`` (ISO date)."""
        rows = [r for r in self.later(code) if str(r["since"]) <= until]
        return rows[-1] if rows else None

    def later_covering(self, code: str, until: str) -> dict[str, Any] | None:
        """The latest commune created or renamed by ``until`` (ISO date) that covers the
        vintage's commune ``code`` and is not that commune as it was, or ``None``."""
        rows = self._rows(
            "SELECT * FROM later_communes WHERE (' ' || members || ' ') LIKE ? AND since <= ? "
            "ORDER BY since DESC, rowid DESC LIMIT 1",
            [f"% {code} %", until],
        )
        return rows[0] if rows else None

    def later_members(self, until: str) -> set[str]:
        """Codes of the vintage covered by a commune created or renamed by ``until``."""
        sql = "SELECT members FROM later_communes WHERE since <= ?"
        rows = self._tuples(sql, [until])[1]
        return {code for (members,) in rows for code in str(members).split()}

    def later_codes(self, codes: Iterable[str]) -> set[str]:
        """Those of ``codes`` that a later commune took (see :meth:`later`)."""
        sql = "SELECT DISTINCT code FROM later_communes WHERE code IN ({marks})"
        return {row[0] for row in self._tuples_in(sql, codes)[1]}

    def postal(self, postcode: str) -> list[dict[str, Any]]:
        """La Poste rows of a postal code."""
        return self._rows("SELECT * FROM postal WHERE postcode = ?", [postcode])
