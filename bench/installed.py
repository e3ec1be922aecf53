"""Run benchmark processes as a user's installed copy would run."""

from __future__ import annotations

import compileall
import os
from pathlib import Path


def as_installed() -> dict[str, str]:
    """The environment of a user's process, with the project compiled once, as pip does
    when it installs a wheel: a checkout under ``PYTHONDONTWRITEBYTECODE`` would
    recompile the project on every start, and only ours (geopandas came compiled)."""
    import zoning

    compileall.compile_dir(str(Path(zoning.__file__).parent), quiet=1)
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
