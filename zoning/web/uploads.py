"""Uploaded lists: one private folder per upload, gone after an hour.

Files are saved under neutral names (``entree.csv``), never the person's file name, so
that no log line can carry a name written in it; the folder is ``0700`` and removed by
:meth:`Uploads.sweep` one hour after the upload, or at once on request.

An upload's state lives in its folder (``etat.json``, the results in
``resultats.json``), not in the memory of one process: ``zoning serve --workers N``
answers each request from any of its worker processes, which share the root folder
(``ZONING_WEB_UPLOADS``, made by ``zoning serve``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError, NotFoundError
from zoning.io.atomic import write_text

log = logging.getLogger(__name__)

#: Largest upload accepted, in bytes.
MAX_BYTES = 10 * 1024 * 1024
#: Most data rows accepted in one list.
MAX_ROWS = 5000
#: Seconds an upload and its results are kept.
MAX_AGE = 3600
#: Suffixes the library's table reader reads.
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
#: Environment variable naming the uploads folder shared by the server's workers.
SHARED_ROOT = "ZONING_WEB_UPLOADS"

_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
_STATE = "etat.json"
_RESULTS = "resultats.json"
_STARTED = "lancement"
_BORN = "cree"  # its modification time is the upload's: the folder's changes with each save
_UNKNOWN = "liste inconnue ou expirée (les fichiers sont effacés au bout d'une heure)"


@dataclass
class RunView:
    """What the results page shows of a checked list (kept beside the files)."""

    headers: list[str]
    table: list[list[Any]]
    ref: str | None  # the header holding the dossier reference
    counts: dict[str, int]
    programme_title: str


@dataclass
class Upload:
    """One uploaded list and what became of it (saved with :meth:`save`)."""

    token: str
    folder: Path
    source: Path
    display_name: str
    columns: Any = None
    programme: str = ""
    state: str = "lu"  # lu, en cours, terminé, erreur
    message: str = ""
    outputs: dict[str, Path] = field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0
    #: (stage, rows done, rows in all) of a running check, for the progress bar.
    progress: tuple[str, int, int] = ("lecture de la liste", 0, 0)
    #: Why the posts map could not be drawn (the results stand without it).
    map_note: str = ""

    def save(self) -> None:
        """Write the state for every worker (atomically: a reader never sees half)."""
        state = {
            "display_name": self.display_name,
            "source": self.source.name,
            "columns": dataclasses.asdict(self.columns) if self.columns is not None else None,
            "programme": self.programme,
            "state": self.state,
            "message": self.message,
            "outputs": {suffix: path.name for suffix, path in self.outputs.items()},
            "started": self.started,
            "seconds": self.seconds,
            "progress": list(self.progress),
            "map_note": self.map_note,
        }
        write_text(self.folder / _STATE, json.dumps(state, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> Upload:
        """An upload as :meth:`save` left it."""
        from zoning.web.services import Columns

        state = json.loads((folder / _STATE).read_text(encoding="utf-8"))
        columns = state["columns"]
        stage, done, total = state["progress"]
        return cls(
            folder.name,
            folder,
            folder / state["source"],
            state["display_name"],
            Columns(**columns) if columns is not None else None,
            state["programme"],
            state["state"],
            state["message"],
            {suffix: folder / name for suffix, name in state["outputs"].items()},
            state["started"],
            state["seconds"],
            (str(stage), int(done), int(total)),
            str(state.get("map_note", "")),
        )

    def claim_run(self) -> bool:
        """Whether this request is the one that starts the run (once, across workers)."""
        try:
            os.close(os.open(self.folder / _STARTED, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        return True

    def release_run(self) -> None:
        """Let the run be started again (it ended on an error the person can fix)."""
        (self.folder / _STARTED).unlink(missing_ok=True)

    def save_results(self, run: RunView) -> None:
        """Keep what the results page shows."""
        text = json.dumps(dataclasses.asdict(run), ensure_ascii=False, default=str)
        write_text(self.folder / _RESULTS, text)

    @property
    def run(self) -> RunView | None:
        """The results, once the run is over."""
        path = self.folder / _RESULTS
        if not path.is_file():
            return None
        return RunView(**json.loads(path.read_text(encoding="utf-8")))


class Uploads:
    """The uploads of one running application (all its worker processes)."""

    def __init__(self, root: Path | None = None, max_age: float = MAX_AGE) -> None:
        shared = os.environ.get(SHARED_ROOT)
        if root is None and shared:
            self.root, self._owned = Path(shared), False  # made and removed by `zoning serve`
        else:
            self.root, self._owned = make_root(root), True
        self.max_age = max_age

    def add(self, display_name: str, data: bytes, suffixes: tuple[str, ...] = SUFFIXES) -> Upload:
        """Save an upload (size and type checked) in its own private folder."""
        suffix = Path(display_name).suffix.lower()
        if suffix not in suffixes:
            extra = " ou PDF (.pdf)" if ".pdf" in suffixes else ""
            raise InvalidInputError(
                f"type de fichier non accepté « {suffix or 'sans extension'} » : "
                f"CSV (.csv), Excel (.xlsx, .xls) ou OpenDocument (.ods){extra} attendu"
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
        (folder / _BORN).touch(mode=0o600)
        source = folder / f"entree{suffix}"
        fd = os.open(source, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        upload = Upload(token, folder, source, Path(display_name).name[:200])
        upload.save()
        log.info("upload saved: %d bytes", len(data))
        return upload

    def get(self, token: str) -> Upload:
        """The upload with this token (expired or unknown: NotFoundError)."""
        self.sweep()
        folder = self.root / token
        # The token comes from the address: only our own shape, never a path.
        if not _TOKEN.fullmatch(token) or not (folder / _STATE).is_file():
            raise NotFoundError(_UNKNOWN)
        try:
            return Upload.load(folder)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # swept meanwhile
            raise NotFoundError(_UNKNOWN) from exc

    def delete(self, token: str) -> None:
        """Remove an upload and its results now."""
        if _TOKEN.fullmatch(token):
            shutil.rmtree(self.root / token, ignore_errors=True)

    def sweep(self) -> None:
        """Remove every upload older than ``max_age``."""
        limit = time.time() - self.max_age
        for folder in self.root.iterdir():
            try:
                born = folder / _BORN
                old = (born if born.exists() else folder).stat().st_mtime < limit
            except OSError:  # removed by another worker meanwhile
                continue
            if old:
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every upload and the root folder, if this process made it."""
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)


def make_root(parent: Path | None = None) -> Path:
    """A new private folder for uploads (``0700``)."""
    base = Path(tempfile.mkdtemp(prefix="zoning-web-", dir=parent))
    os.chmod(base, 0o700)
    return base
