"""Helpers of the decree tests (imported by conftest and the test modules)."""

from __future__ import annotations

from pathlib import Path

from zoning_cli import copy_store as copy_store_files
from zoning_cli import run_zoning

from zoning.settings import get_settings
from zoning.store import ZoningStore
from zoning.store.decree_store import add_records
from zoning.store.decrees import load_decree_files

NA = "75"
OLD = "ars-na-2022-04-25"
NEW = "ars-na-2025-12-30"


def copy_store(source: Path, dest: Path) -> Path:
    """Copy a store for writing, with the decree records of ``data/decrees``."""
    copy_store_files(source, dest)
    add_records(dest, load_decree_files(get_settings().decrees))
    return dest


def open_store(path: Path) -> ZoningStore:
    """A fresh reader (an import changes the files under an open one)."""
    return ZoningStore.open(path)


zoning = run_zoning  # the command as a user runs it (real process)
