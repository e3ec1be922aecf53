"""Is this store whole, and built by this format? One lock for whoever writes it.

``store.json`` records the store's format version and every file of the store with its
size and sha256. Opening a store checks the version and, cheaply, that every listed
file is there with its size (a truncated Parquet or SQLite file is caught before any
read); ``zoning data check-store`` also checks the hashes. Anything that modifies a
built store (``data build``, ``data import-decree``…) holds :func:`store_lock` and calls
:func:`record_store_files` when done.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zoning.errors import StoreIntegrityError

log = logging.getLogger(__name__)

#: Version of the store's layout; a store of another version is refused on open.
#: 1: first layout; 2: ``files`` (size, sha256 of every file) in store.json; 3: communes of
#: later vintages (``later_communes``) and La Poste rows completed with them (``since``).
STORE_FORMAT = 3
META_NAME = "store.json"
REBUILD = "reconstruisez-le avec `zoning data build`"


def _lock_path(store_dir: Path) -> Path:
    # Beside the store, not inside: a build replaces the whole folder.
    return store_dir.parent / f".{store_dir.name}.lock"


@contextmanager
def store_lock(store_dir: Path, timeout: float = -1) -> Iterator[None]:
    """Hold the store's write lock; a second writer waits (with a message) or gives up.

    Parameters
    ----------
    store_dir
        The store folder (it need not exist yet).
    timeout
        Seconds to wait for another writer to finish; negative: wait as long as needed.

    Raises
    ------
    StoreIntegrityError
        When the lock was not obtained within ``timeout``.
    """
    from filelock import FileLock, Timeout

    store_dir = Path(store_dir)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(_lock_path(store_dir)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning(
            "un autre processus écrit déjà le magasin %s : attente de la fin de son travail%s",
            store_dir,
            "" if timeout < 0 else f" (au plus {timeout:.0f} s)",
        )
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise StoreIntegrityError(
                f"le magasin {store_dir} est en cours d'écriture par un autre processus "
                f"(verrou {_lock_path(store_dir)}) : réessayez quand il aura fini"
            ) from exc
    try:
        yield
    finally:
        lock.release()


def _digest(path: Path) -> dict[str, Any]:
    from zoning.sources.integrity import file_digest

    size, sha = file_digest(path)
    return {"size": size, "sha256": sha}


def _store_files(store_dir: Path) -> list[Path]:
    return sorted(
        p for p in Path(store_dir).rglob("*")
        if p.is_file() and p.name != META_NAME and not p.name.startswith(".")
    )  # fmt: skip


def file_table(store_dir: Path) -> dict[str, dict[str, Any]]:
    """Every file of a store folder (relative POSIX path) with its size and sha256."""
    store_dir = Path(store_dir)
    return {p.relative_to(store_dir).as_posix(): _digest(p) for p in _store_files(store_dir)}


def write_meta(store_dir: Path, meta: dict[str, Any]) -> None:
    """Write ``store.json`` atomically (temporary file in the folder, then rename)."""
    from zoning.io.write import write_json

    write_json(Path(store_dir) / META_NAME, meta, indent=1)


def record_store_files(store_dir: Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Re-record the store's file list (sizes, sha256) and format in ``store.json``.

    Call it after any change to a built store's files (while holding
    :func:`store_lock`), so that the checks on open and ``data check-store`` stay true.

    Parameters
    ----------
    store_dir
        The store folder.
    meta
        The metadata to write (default: the current ``store.json``), updated in place.

    Returns
    -------
    dict
        The metadata written.
    """
    store_dir = Path(store_dir)
    if meta is None:
        meta = read_meta(store_dir, check_format=False)
    meta["format"] = STORE_FORMAT
    meta["files"] = file_table(store_dir)
    write_meta(store_dir, meta)
    return meta


def read_meta(store_dir: Path, check_format: bool = True) -> dict[str, Any]:
    """``store.json`` of a store, refusing an unreadable one or another format version."""
    path = Path(store_dir) / META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreIntegrityError(f"magasin illisible ({path} : {exc}) : {REBUILD}") from exc
    if not isinstance(meta, dict):
        raise StoreIntegrityError(f"magasin illisible ({path}) : {REBUILD}")
    if check_format and meta.get("format") != STORE_FORMAT:
        raise StoreIntegrityError(
            f"magasin construit par une autre version (format {meta.get('format', 'inconnu')}, "
            f"attendu {STORE_FORMAT}) : {REBUILD}"
        )
    return meta


def check_sizes(store_dir: Path, meta: dict[str, Any]) -> None:
    """Cheap check on open: every listed file is there with its recorded size."""
    problems = _size_problems(Path(store_dir), meta)
    if problems:
        raise StoreIntegrityError(
            f"magasin {store_dir} incomplet ou abîmé ({'; '.join(problems[:5])}) : {REBUILD}"
        )


def _size_problems(store_dir: Path, meta: dict[str, Any]) -> list[str]:
    problems = []
    for name, entry in (meta.get("files") or {}).items():
        path = store_dir / name
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{name} manquant")
            continue
        if size != entry.get("size"):
            problems.append(f"{name} : {size} octets au lieu de {entry.get('size')}")
    return problems


def check_store(store_dir: Path) -> list[str]:
    """Full check (``zoning data check-store``): format, presence, sizes and sha256.

    Returns
    -------
    list of str
        French descriptions of what is wrong; empty when the store is whole.
    """
    store_dir = Path(store_dir)
    meta = read_meta(store_dir)
    problems = _size_problems(store_dir, meta)
    damaged = {p.split(" ")[0] for p in problems}
    for name, entry in (meta.get("files") or {}).items():
        if name in damaged:
            continue
        if _digest(store_dir / name)["sha256"] != entry.get("sha256"):
            problems.append(f"{name} : contenu modifié (sha256 différent)")
    if not meta.get("files"):
        problems.append("store.json ne liste aucun fichier")
    return problems


def damaged(store_dir: Path, what: str, exc: BaseException) -> StoreIntegrityError:
    """The error to raise when reading a store file failed (corrupt Parquet/SQLite...)."""
    return StoreIntegrityError(f"magasin abîmé : lecture de {what} impossible ({exc}) : {REBUILD}")
