"""The npm files the package needs: which ones (``npm_assets.toml``) and where they are.

In an installed wheel they sit in ``zoning/_npm/`` (copied there at build time by
``hatch_build.py``); in a checkout, in ``node_modules/`` at the repository root.

This module uses the standard library only: the build hook loads it by file path, in a
build environment where the package's dependencies are not installed.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CSS_URL",
    "MANIFEST",
    "SENTINEL",
    "NpmAssets",
    "find_root",
    "load_assets",
    "root_candidates",
]

HERE = Path(__file__).resolve().parent
#: The list of npm files to ship (the one place to add one).
MANIFEST = HERE / "npm_assets.toml"
#: Folder of the npm files inside an installed package.
PACKAGED = HERE / "_npm"
#: A file every usable root holds.
SENTINEL = "leaflet/dist/leaflet.js"
#: A ``url(...)`` reference in a stylesheet.
CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")


@dataclass(frozen=True)
class NpmAssets:
    """The npm files of ``npm_assets.toml``.

    Attributes
    ----------
    cdn : dict of str to str
        CDN URL regex -> file under the npm root, for the maps.
    files : tuple of str
        Further files or globs to ship.
    """

    cdn: dict[str, str]
    files: tuple[str, ...]

    def shipped(self, root: Path) -> list[str]:
        """Every file to ship, relative to ``root``, with what stylesheets point at.

        Parameters
        ----------
        root : Path
            A ``node_modules`` folder.

        Returns
        -------
        list of str
            Sorted POSIX paths relative to ``root`` (with each package's licence and
            ``package.json``).

        Raises
        ------
        FileNotFoundError
            When a listed file or glob matches nothing under ``root``.
        """
        wanted: set[str] = set()
        for pattern in (*self.cdn.values(), *self.files):
            found = [p for p in root.glob(pattern) if p.is_file()]
            if not found:
                raise FileNotFoundError(f"{root / pattern} (npm ci ?)")
            wanted.update(p.relative_to(root).as_posix() for p in found)
        for rel in [w for w in wanted if w.endswith(".css")]:
            wanted.update(_css_references(root, rel))
        # Each package's licence and package.json (name, version) travel with its files.
        for package in {_package_of(w) for w in wanted}:
            for extra in ("package.json", "LICENSE*", "LICENCE*", "license*"):
                wanted.update(p.relative_to(root).as_posix() for p in (root / package).glob(extra))
        return sorted(wanted)


def _package_of(rel: str) -> str:
    parts = rel.split("/")
    return "/".join(parts[:2] if parts[0].startswith("@") else parts[:1])


def _css_references(root: Path, rel: str) -> Iterable[str]:
    css = root / rel
    for match in CSS_URL.finditer(css.read_text(encoding="utf-8")):
        ref = match.group("ref").split("?")[0].split("#")[0]
        if not ref or ref.startswith(("data:", "http:", "https:", "/")):
            continue
        target = (css.parent / ref).resolve()
        if target.is_file() and target.is_relative_to(root.resolve()):
            yield target.relative_to(root.resolve()).as_posix()


def load_assets(path: Path = MANIFEST) -> NpmAssets:
    """Read ``npm_assets.toml``."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return NpmAssets(cdn=dict(raw.get("cdn", {})), files=tuple(raw.get("files", ())))


def root_candidates() -> list[Path]:
    """Where the npm files may be, in order of preference.

    ``ZONING_NODE_MODULES`` first, then the copy inside the installed package, then the
    ``node_modules`` of the checkout this module lives in, then the current directory's.
    """
    candidates = []
    if os.environ.get("ZONING_NODE_MODULES"):
        candidates.append(Path(os.environ["ZONING_NODE_MODULES"]))
    candidates += [PACKAGED, HERE.parent / "node_modules", Path.cwd() / "node_modules"]
    return candidates


def find_root() -> Path | None:
    """The first of :func:`root_candidates` holding the npm files, or None."""
    for folder in root_candidates():
        if (folder / SENTINEL).is_file():
            return folder
    return None
