"""All downloads of upstream files go through here (one place that touches the network)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from zoning.errors import ZoningError
from zoning.io.atomic import atomic_open

log = logging.getLogger(__name__)

USER_AGENT = "zoning (ARS zoning tool; https://github.com/) python-requests"


class DownloadError(ZoningError):
    """An upstream file could not be downloaded."""


def download(
    url: str,
    dest: Path,
    *,
    timeout: float = 60.0,
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
        try:
            with requests.get(
                url, stream=True, timeout=timeout, headers={"User-Agent": USER_AGENT}
            ) as resp:
                if resp.status_code != 200:
                    raise DownloadError(f"téléchargement de {url} : HTTP {resp.status_code}")
                total = int(resp.headers.get("Content-Length") or 0) or None
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
    return {
        "name": dest.name,
        "size": dest.stat().st_size,
        "sha256": digest.hexdigest(),
        "url": url,
    }
