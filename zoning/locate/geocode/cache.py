"""On-disk cache of geocoder answers, keyed by the normalised query.

A re-run of the same file costs no request; a batch interrupted half-way resumes
where it stopped, because every chunk's answers are stored as soon as they arrive.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zoning.io.text import fold_upper


def cache_key(base_url: str, q: str, filters: dict[str, str] | None = None) -> str:
    """Key of one query: geocoder URL, folded text, sorted non-empty filters."""
    parts = [base_url.rstrip("/"), fold_upper(q)]
    parts += [f"{k}={v}" for k, v in sorted((filters or {}).items()) if v]
    return "|".join(parts)


class AnswerCache:
    """A small SQLite table ``key -> JSON answer`` (``{}`` stands for "no result").

    Parameters
    ----------
    path
        The SQLite file (its folder is created), or ``None`` for an in-memory cache.
    """

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path) if path else ":memory:")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT, at REAL)"
        )
        self._db.commit()

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached answers for those of ``keys`` that are known."""
        found: dict[str, dict[str, Any]] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, answer FROM answers WHERE key IN ({marks})", chunk
            )
            found.update((key, json.loads(answer)) for key, answer in rows)
        return found

    def put_many(self, answers: dict[str, dict[str, Any]]) -> None:
        """Store answers (committed at once, so they survive a crash that follows)."""
        now = time.time()
        self._db.executemany(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
            [(k, json.dumps(v, ensure_ascii=False), now) for k, v in answers.items()],
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
