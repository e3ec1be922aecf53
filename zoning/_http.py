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
    url: str, dest: Path, *, timeout: float = 60.0, progress: bool = True
) -> dict[str, Any]:
    """Stream ``url`` to ``dest`` (atomically), returning its name, size and sha256."""
    import requests
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # The file appears under its name only once complete (zoning.io.atomic).
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
    log.info("downloaded %s -> %s", url, dest)
    return {
        "name": dest.name,
        "size": dest.stat().st_size,
        "sha256": digest.hexdigest(),
        "url": url,
    }
