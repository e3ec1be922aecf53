"""Run the ``zoning`` command as a user would: a real process on a given store (or a
writable copy of one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_zoning(
    store: Path, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m zoning ARGS`` with ``ZONING_STORE=store`` (and ``env``) in ``cwd``;
    output captured, never raises."""
    return subprocess.run(
        [sys.executable, "-m", "zoning", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "ZONING_STORE": str(store), **(env or {})},
        check=False,
        cwd=cwd,
    )


def copy_store(source: Path, dest: Path) -> Path:
    """A writable copy of a store; point indexes, never written, are symlinked."""
    dest.mkdir(parents=True)
    for item in source.iterdir():
        if item.name.startswith("pointindex_"):
            (dest / item.name).symlink_to(item.resolve(), target_is_directory=True)
        elif item.is_dir():
            shutil.copytree(item, dest / item.name)
        else:
            shutil.copy2(item, dest / item.name)
    return dest
