"""The sources manifest: where each upstream file comes from and how to read it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import SourceFormatError, SourceMissingError
from zoning.settings import get_settings


@dataclass(frozen=True)
class SourceFile:
    """One file of a source: its name in the sources folder and its download URL."""

    name: str
    url: str
    #: Size in bytes and sha256 of the file as published at ``url`` (``None``: not pinned).
    size: int | None = None
    sha256: str | None = None
    #: How our copy differs from the upstream file, when it does (stated in the manifest).
    modified: str = ""


@dataclass(frozen=True)
class Source:
    """One upstream source as described in the manifest."""

    id: str
    title: str
    dir: str
    files: tuple[SourceFile, ...]
    fields: dict[str, Any]
    vintage: str = ""
    licence: str = ""
    publisher_url: str = ""
    optional: bool = False
    glob: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def paths(self, sources_dir: Path) -> list[Path]:
        """Paths of this source's files under ``sources_dir`` (every listed file must exist).

        Raises
        ------
        SourceMissingError
            Naming the first missing file and where it was looked for.
        """
        folder = Path(sources_dir) / self.dir
        if self.glob:
            found = sorted(folder.glob(self.glob))
            if found:
                return found
            raise SourceMissingError(
                f"source « {self.id} » : aucun fichier {self.glob} dans {folder} "
                f"(téléchargez-les avec `zoning data fetch` ou indiquez --sources)"
            )
        paths = [folder / f.name for f in self.files]
        for path in paths:
            if not path.is_file():
                raise SourceMissingError(
                    f"source « {self.id} » : fichier manquant {path} "
                    f"(téléchargez-le avec `zoning data fetch` ou indiquez --sources)"
                )
        return paths

    def path(self, sources_dir: Path) -> Path:
        """The single file of a one-file source."""
        return self.paths(sources_dir)[0]

    def is_present(self, sources_dir: Path) -> bool:
        """Whether every file of the source is in ``sources_dir``."""
        try:
            self.paths(sources_dir)
        except SourceMissingError:
            return False
        return True


_KNOWN = {
    "title",
    "dir",
    "files",
    "fields",
    "vintage",
    "licence",
    "publisher_url",
    "optional",
    "glob",
}


def load_manifest(path: Path | None = None) -> dict[str, Source]:
    """Read the manifest (default: the project's ``data/sources.toml``)."""
    path = path or get_settings().manifest
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceMissingError(f"manifeste des sources introuvable : {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceFormatError(f"manifeste des sources illisible ({path}) : {exc}") from exc
    sources: dict[str, Source] = {}
    for source_id, entry in raw.get("sources", {}).items():
        try:
            files = tuple(
                SourceFile(
                    f["name"],
                    f["url"],
                    int(f["size"]) if "size" in f else None,
                    str(f["sha256"]).lower() if "sha256" in f else None,
                    str(f.get("modified", "")),
                )
                for f in entry.get("files", [])
            )
            sources[source_id] = Source(
                id=source_id,
                title=entry["title"],
                dir=entry["dir"],
                files=files,
                fields=dict(entry.get("fields", {})),
                vintage=entry.get("vintage", ""),
                licence=entry.get("licence", ""),
                publisher_url=entry.get("publisher_url", ""),
                optional=bool(entry.get("optional", False)),
                glob=entry.get("glob"),
                extra={k: v for k, v in entry.items() if k not in _KNOWN},
            )
        except KeyError as exc:
            raise SourceFormatError(
                f"manifeste {path} : la source « {source_id} » n'a pas le champ {exc}"
            ) from exc
    return sources
