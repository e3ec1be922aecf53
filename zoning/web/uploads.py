"""Uploaded lists: one private folder per upload, gone after an hour.

Files are saved under neutral names (``entree.csv``), never the person's file name, so
that no log line can carry a name written in it; the folder is ``0700`` and removed by
:meth:`Uploads.sweep` one hour after the upload, or at once on request.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError, NotFoundError

log = logging.getLogger(__name__)

#: Largest upload accepted, in bytes.
MAX_BYTES = 10 * 1024 * 1024
#: Most data rows accepted in one list.
MAX_ROWS = 5000
#: Seconds an upload and its results are kept.
MAX_AGE = 3600
#: Suffixes the library's table reader reads.
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Upload:
    """One uploaded list and what became of it."""

    token: str
    folder: Path
    source: Path
    display_name: str
    created: float = field(default_factory=time.time)
    columns: Any = None
    programme: str = ""
    state: str = "lu"  # lu, en cours, terminé, erreur
    message: str = ""
    run: Any = None
    outputs: dict[str, Path] = field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0


class Uploads:
    """The uploads of one running application."""

    def __init__(self, root: Path | None = None, max_age: float = MAX_AGE) -> None:
        base = Path(tempfile.mkdtemp(prefix="zoning-web-", dir=root))
        os.chmod(base, 0o700)
        self.root = base
        self.max_age = max_age
        self._items: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def add(self, display_name: str, data: bytes) -> Upload:
        """Save an upload (size and type checked) in its own private folder."""
        suffix = Path(display_name).suffix.lower()
        if suffix not in SUFFIXES:
            raise InvalidInputError(
                f"type de fichier non accepté « {suffix or 'sans extension'} » : "
                "CSV (.csv), Excel (.xlsx, .xls) ou OpenDocument (.ods) attendu"
            )
        if len(data) > MAX_BYTES:
            raise InvalidInputError(
                f"fichier trop gros ({len(data) / 1e6:.1f} Mo) : {MAX_BYTES // 2**20} Mo au plus"
            )
        if not data:
            raise InvalidInputError("fichier vide")
        self.sweep()
        token = secrets.token_urlsafe(18)
        folder = self.root / token
        folder.mkdir(mode=0o700)
        source = folder / f"entree{suffix}"
        fd = os.open(source, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        upload = Upload(token, folder, source, Path(display_name).name[:200])
        with self._lock:
            self._items[token] = upload
        log.info("upload saved: %d bytes", len(data))
        return upload

    def get(self, token: str) -> Upload:
        """The upload with this token (expired or unknown: NotFoundError)."""
        self.sweep()
        with self._lock:
            upload = self._items.get(token)
        if upload is None:
            raise NotFoundError(
                "liste inconnue ou expirée (les fichiers sont effacés au bout d'une heure)"
            )
        return upload

    def delete(self, token: str) -> None:
        """Remove an upload and its results now."""
        with self._lock:
            upload = self._items.pop(token, None)
        if upload is not None:
            shutil.rmtree(upload.folder, ignore_errors=True)

    def sweep(self) -> None:
        """Remove every upload older than ``max_age``."""
        now = time.time()
        with self._lock:
            old = [t for t, u in self._items.items() if now - u.created > self.max_age]
        for token in old:
            self.delete(token)

    def close(self) -> None:
        """Remove every upload and the root folder (application shutdown)."""
        with self._lock:
            self._items.clear()
        shutil.rmtree(self.root, ignore_errors=True)
