"""``zoning data fetch``: download the manifest's files into a sources folder."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zoning._http import download
from zoning.io.atomic import write_text
from zoning.sources.manifest import Source

log = logging.getLogger(__name__)


def mirrored(source: Source, name: str, url: str, mirror: str | None) -> str:
    """The URL to use: upstream, or the same relative path on a mirror of a sources folder."""
    if not mirror:
        return url
    return f"{mirror.rstrip('/')}/{source.dir}/{name}"


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
        from zoning.errors import InvalidInputError

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
