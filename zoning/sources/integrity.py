"""Are the source files the ones the manifest pins? (size + sha256 of every file)

``data/sources.toml`` records the size and sha256 of every upstream file as published
at the pinned URL. ``zoning data fetch`` refuses a download that differs (a tampered
mirror), ``zoning data build`` names the files it reads that differ and refuses them
unless ``--accept-changed`` (a user's newer file), which the store's provenance records.

``python -m zoning.sources.integrity DIR`` re-pins the manifest from a folder of
unmodified upstream files (for a maintainer updating a source).
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from zoning.errors import SourceChangedError
from zoning.sources.manifest import Source, SourceFile

_BLOCK = 1 << 20


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, sha256 hex) of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


@dataclass(frozen=True)
class Mismatch:
    """A source file that is not the pinned one."""

    source: str
    path: Path
    expected_size: int | None
    expected_sha256: str | None
    size: int
    sha256: str

    def describe(self) -> str:
        """French, one line: which file, what differs."""
        if self.expected_size is not None and self.size != self.expected_size:
            what = f"taille {self.size} octets au lieu de {self.expected_size}"
        else:
            what = f"sha256 {self.sha256[:12]}… au lieu de {str(self.expected_sha256)[:12]}…"
        return f"{self.path} (source « {self.source} ») : {what}"

    def to_dict(self) -> dict[str, object]:
        """JSON-able form for the store's provenance."""
        return {
            "source": self.source,
            "file": self.path.name,
            "size": self.size,
            "sha256": self.sha256,
            "expected_size": self.expected_size,
            "expected_sha256": self.expected_sha256,
        }


def check_file(source: str, file: SourceFile, path: Path) -> Mismatch | None:
    """Compare one file with its pin (``None`` when it matches or nothing is pinned)."""
    if file.sha256 is None and file.size is None:
        return None
    actual_size = Path(path).stat().st_size
    if file.size is not None and actual_size != file.size:  # cheap: no need to hash
        return Mismatch(source, Path(path), file.size, file.sha256, actual_size, "")
    size, sha = file_digest(path)
    if file.sha256 is not None and sha != file.sha256:
        return Mismatch(source, Path(path), file.size, file.sha256, size, sha)
    return None


def check_sources(sources: list[Source], sources_dir: Path) -> list[Mismatch]:
    """Every present file of ``sources`` that differs from its pin."""
    found: list[Mismatch] = []
    for source in sources:
        folder = Path(sources_dir) / source.dir
        for file in source.files:
            path = folder / file.name
            if path.is_file():
                mismatch = check_file(source.id, file, path)
                if mismatch is not None:
                    found.append(mismatch)
    return found


def refuse_changed(mismatches: list[Mismatch], accept_changed: bool) -> None:
    """Raise :class:`SourceChangedError` naming the files, unless ``accept_changed``."""
    if not mismatches or accept_changed:
        return
    lines = "\n  ".join(m.describe() for m in mismatches)
    raise SourceChangedError(
        f"{len(mismatches)} fichier(s) source différent(s) de ceux du manifeste "
        f"(data/sources.toml) :\n  {lines}\nSi ce sont des versions plus récentes que vous "
        "avez choisies, relancez avec --accept-changed (noté dans la provenance du magasin) ; "
        "sinon retéléchargez-les avec `zoning data fetch --force`."
    )


_ENTRY = re.compile(r'\{ name = "(?P<name>[^"]+)", url = "(?P<url>[^"]+)"(?P<rest>[^}]*)\}')


def pin_manifest(manifest: Path, sources_dir: Path) -> int:
    """Write size and sha256 of every file found in ``sources_dir`` into the manifest."""
    from zoning.sources.manifest import load_manifest

    folders = {f.name: s.dir for s in load_manifest(manifest).values() for f in s.files}
    text = Path(manifest).read_text(encoding="utf-8")
    pinned = 0

    def pin(match: re.Match[str]) -> str:
        nonlocal pinned
        name, url = match.group("name"), match.group("url")
        path = Path(sources_dir) / folders[name] / name
        if not path.is_file():
            return match.group(0)
        size, sha = file_digest(path)
        pinned += 1
        return f'{{ name = "{name}", url = "{url}", size = {size}, sha256 = "{sha}" }}'

    Path(manifest).write_text(_ENTRY.sub(pin, text), encoding="utf-8")
    return pinned


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    from zoning.settings import get_settings

    count = pin_manifest(get_settings().manifest, Path(sys.argv[1]))
    print(f"{count} fichiers épinglés")
