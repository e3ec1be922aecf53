"""Helpers of the decree tests (imported by conftest and the test modules)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from zoning.settings import get_settings
from zoning.store import ZoningStore
from zoning.store.decree_import import add_records
from zoning.store.decrees import load_decree_files

NA = "75"
OLD = "ars-na-2022-04-25"
NEW = "ars-na-2025-12-30"


def copy_store(source: Path, dest: Path) -> Path:
    """Copy a store for writing; point indexes are symlinked (never written)."""
    dest.mkdir(parents=True)
    for item in source.iterdir():
        if item.name.startswith("pointindex_"):
            (dest / item.name).symlink_to(item.resolve(), target_is_directory=True)
        elif item.is_dir():
            shutil.copytree(item, dest / item.name)
        else:
            shutil.copy2(item, dest / item.name)
    add_records(dest, load_decree_files(get_settings().decrees))
    return dest


def open_store(path: Path) -> ZoningStore:
    """A fresh reader (an import changes the files under an open one)."""
    return ZoningStore.open(path)


def zoning(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m zoning ARGS`` on ``store`` as a user would (real process)."""
    env = {**os.environ, "ZONING_STORE": str(store)}
    return subprocess.run(
        [sys.executable, "-m", "zoning", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
