"""Run the ``zoning`` command as a user would: a real process on a given store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_zoning(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m zoning ARGS`` with ``ZONING_STORE=store``; output captured, never raises."""
    env = {**os.environ, "ZONING_STORE": str(store)}
    return subprocess.run(
        [sys.executable, "-m", "zoning", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
