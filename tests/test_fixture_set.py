"""The fixture set is what ORIGIN.json says: each file's sha256, and its source's."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
ORIGIN = json.loads((DATA / "ORIGIN.json").read_text(encoding="utf-8"))["files"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_fixture_file_is_recorded_and_unchanged() -> None:
    files = {
        p.relative_to(DATA / "sources").as_posix()
        for p in (DATA / "sources").rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert files == {r["file"] for r in ORIGIN}
    for record in ORIGIN:
        assert _sha256(DATA / "sources" / record["file"]) == record["sha256"], record["file"]
    assert sum(r["size"] for r in ORIGIN) < 1_500_000  # small enough to commit


@pytest.mark.parametrize("record", ORIGIN, ids=[r["file"] for r in ORIGIN])
def test_recorded_source_is_the_real_file(record: dict[str, str], sources_dir: Path) -> None:
    # A changed real file means the fixtures must be cut again (make_fixtures.py).
    assert _sha256(sources_dir / record["source"]) == record["source_sha256"]
