"""``zoning data fetch``: download the manifest's files into a sources folder.

Downloads go through the tool's one HTTP session (:mod:`zoning._http`: User-Agent,
timeout and retries from the settings); each file is written atomically and checked
against the manifest's pins before it appears under its name.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zoning import _http
from zoning.errors import DownloadError, InvalidInputError
from zoning.io.atomic import atomic_open, write_text
from zoning.sources.manifest import Source

log = logging.getLogger(__name__)


def mirrored(source: Source, name: str, url: str, mirror: str | None) -> str:
    """The URL to use: upstream, or the same relative path on a mirror of a sources folder."""
    if not mirror:
        return url
    return f"{mirror.rstrip('/')}/{source.dir}/{name}"


def download(
    url: str,
    dest: Path,
    *,
    progress: bool = True,
    expected_size: int | None = None,
    expected_sha256: str | None = None,
) -> dict[str, Any]:
    """Stream ``url`` to ``dest`` (atomically), returning its name, size and sha256.

    With ``expected_size`` / ``expected_sha256`` (the manifest's pins), a file that
    differs is refused: removed, never put under ``dest``, and :class:`DownloadError`
    says which file and what differs.
    """
    import requests
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # The file appears under its name only once complete and checked (zoning.io.atomic):
    # an error raised inside the block removes the temporary file.
    with atomic_open(dest, "wb") as handle:
        what = f"le serveur de {url}"
        with _http.request("GET", url, what=what, error=DownloadError, stream=True) as resp:
            if resp.status_code != 200:
                raise DownloadError(f"téléchargement de {url} : HTTP {resp.status_code}")
            total = int(resp.headers.get("Content-Length") or 0) or None
            try:
                with tqdm(
                    total=total, unit="B", unit_scale=True, desc=dest.name, disable=not progress
                ) as bar:
                    for block in resp.iter_content(chunk_size=1 << 16):
                        handle.write(block)
                        digest.update(block)
                        bar.update(len(block))
            except requests.RequestException as exc:
                raise DownloadError(f"téléchargement de {url} impossible : {exc}") from exc
        size, sha = handle.tell(), digest.hexdigest()
        wrong = []
        if expected_size is not None and size != expected_size:
            wrong.append(f"taille {size} octets au lieu de {expected_size}")
        if expected_sha256 is not None and sha != expected_sha256:
            wrong.append(f"sha256 {sha} au lieu de {expected_sha256}")
        if wrong:
            raise DownloadError(
                f"fichier refusé : {dest.name} téléchargé de {url} ne correspond pas au "
                f"manifeste ({' ; '.join(wrong)}) ; miroir altéré ou fichier changé en amont"
            )
    log.info("downloaded %s -> %s", url, dest)
    return {"name": dest.name, "size": dest.stat().st_size, "sha256": sha, "url": url}


def fetch_sources(
    manifest: dict[str, Source],
    dest: Path,
    *,
    only: list[str] | None = None,
    mirror: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Download every file of the selected sources into ``dest/<dir>/<name>``.

    Files already present are kept unless ``force``. Every download is checked against
    the size and sha256 pinned in the manifest and refused if it differs. A record of
    what was fetched (URL, size, sha256, date) is written to ``dest/fetched.json``.
    """
    unknown = sorted(set(only or ()) - set(manifest))
    if unknown:
        raise InvalidInputError(
            f"source(s) inconnue(s) : {', '.join(unknown)} ; sources du manifeste : "
            f"{', '.join(manifest)}"
        )
    records = []
    for source in manifest.values():
        if only and source.id not in only:
            continue
        for file in source.files:
            target = dest / source.dir / file.name
            if target.is_file() and not force:
                log.info("keeping %s (already there)", target)
                continue
            record = download(
                mirrored(source, file.name, file.url, mirror),
                target,
                progress=progress,
                expected_size=file.size,
                expected_sha256=file.sha256,
            )
            record.update(
                source=source.id, fetched_at=datetime.now(UTC).isoformat(timespec="seconds")
            )
            records.append(record)
    log_path = dest / "fetched.json"
    previous = json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else []
    dest.mkdir(parents=True, exist_ok=True)
    write_text(log_path, json.dumps(previous + records, indent=1))
    return records
