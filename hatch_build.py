"""Build hook: put the rules data and the npm files into the sdist and the wheel.

Wheel: ``data/programmes``, ``data/decrees`` and ``data/sources.toml`` go to
``zoning/_data/`` (read with :mod:`importlib.resources`, see ``zoning/settings.py``), and
the npm files listed in ``zoning/npm_assets.toml`` go from ``node_modules/`` to
``zoning/_npm/`` (see ``zoning/npm.py``). Sdist: the same npm files under
``node_modules/``, so that a wheel built from the sdist needs neither npm nor the network.

Wheel, too: the users' guides ``docs/guide-*.md`` and the images they show go to
``zoning/_docs/`` (the « Aide » pages render them, see ``zoning/web/guides.py``); the
Markdown stays one copy, in ``docs/``, where the repository's readers find it.

An editable install gets nothing: it reads the checkout's ``data/``, ``docs/`` and
``node_modules/`` live. ``data/`` stays where people read and edit it; ``data/examples`` is
not package data (it is in the sdist, and the README points at it).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Rules data shipped in the wheel: repository path -> path in the wheel.
RULES = {
    "data/programmes": "zoning/_data/programmes",
    "data/decrees": "zoning/_data/decrees",
    "data/sources.toml": "zoning/_data/sources.toml",
}


#: An image a guide shows: ``](img/name.png)``.
GUIDE_IMAGE = re.compile(r"\]\(img/([A-Za-z0-9_.-]+\.png)\)")


def guide_files(root: Path) -> dict[str, str]:
    """The guides and the images they show: repository path -> path in the wheel."""
    files: dict[str, str] = {}
    for guide in sorted((root / "docs").glob("guide-*.md")):
        files[str(guide)] = f"zoning/_docs/{guide.name}"
        for name in GUIDE_IMAGE.findall(guide.read_text(encoding="utf-8")):
            files[str(root / "docs" / "img" / name)] = f"zoning/_docs/img/{name}"
    return files


def _npm_module(root: Path) -> ModuleType:
    # zoning/npm.py uses the standard library only: load it without importing zoning.
    spec = importlib.util.spec_from_file_location("_zoning_npm", root / "zoning" / "npm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _node_modules(root: Path, sentinel: str) -> Path:
    """The project's ``node_modules``, installed from the lockfile when absent."""
    folder = root / "node_modules"
    if (folder / sentinel).is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None or not (root / "package-lock.json").is_file():
        raise RuntimeError(
            f"{folder / sentinel} is missing and npm is not available: run `npm ci` in {root} "
            "before building (the wheel carries the map assets)"
        )
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=root,
        check=True,
    )
    return folder


class ZoningBuildHook(BuildHookInterface):
    """Adds the rules data and the npm files to the build."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Fill ``force_include`` for the sdist and the (non-editable) wheel."""
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        npm = _npm_module(root)
        modules = _node_modules(root, npm.SENTINEL)
        files = npm.load_assets(root / "zoning" / "npm_assets.toml").shipped(modules)
        prefix = "zoning/_npm" if self.target_name == "wheel" else "node_modules"
        for rel in files:
            build_data["force_include"][str(modules / rel)] = f"{prefix}/{rel}"
        if self.target_name == "wheel":
            for source, target in RULES.items():
                build_data["force_include"][str(root / source)] = target
            build_data["force_include"].update(guide_files(root))
