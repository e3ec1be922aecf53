"""Fixtures of the decree tests: a private copy of the session store, never the shared one.

Imports write into the store, so each test module gets its own copy (the point indexes,
read-only and large, are linked rather than copied). A store built before the decree
record of 30 December 2025 was described learns of it through ``add_records``, the same
path a user's old store takes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from decree_helpers import copy_store


@pytest.fixture(scope="module")
def store_copy(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A writable copy of the session store, with the repository's decree records."""
    dest = copy_store(store_path, tmp_path_factory.mktemp("decrees") / "store")
    yield dest
    shutil.rmtree(dest, ignore_errors=True)
