"""Outputs appear whole or not at all: write a temporary file, rename it when complete.

Every file the project writes for a user goes through :func:`atomic_path` (or the
helpers built on it): the data goes to a hidden temporary file in the destination
folder, which is renamed over the final name only once it is complete. On any
failure — an exception, Ctrl+C, a full disk, a read-only folder — the temporary file
is removed, nothing half-written is left under the final name, and the user gets a
French message naming the file (:class:`~zoning.errors.OutputError`, exit code 2, or
:class:`~zoning.errors.OutputInterruptedError`, exit code 130, for an interrupt).

The temporary file lives in the same folder so that the rename is atomic (same file
system). The standard library does this in a few lines; ``atomicwrites`` is archived.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

from zoning.errors import OutputError, OutputInterruptedError, ZoningError

log = logging.getLogger(__name__)

#: Temporary names: ``.<final name>.<random>.part`` (hidden, and easy to spot).
TEMP_SUFFIX = ".part"
_interrupted = False


def _on_sigint(signum: int, frame: Any) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def record_interrupts() -> None:
    """Remember Ctrl+C (SIGINT) before raising :class:`KeyboardInterrupt` as usual.

    Some extension code turns the ``KeyboardInterrupt`` it receives into another
    error (pybind11 argument conversion in matplotlib raises ``TypeError``); with the
    interrupt recorded, such an error is still reported as an interruption. Called by
    the command line's entry point (main thread).
    """
    signal.signal(signal.SIGINT, _on_sigint)


def was_interrupted() -> bool:
    """Whether Ctrl+C was pressed since :func:`record_interrupts`."""
    return _interrupted


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def describe_os_error(path: Path, exc: OSError) -> str:
    """A French sentence for a failed write of ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    code = exc.errno
    if code == errno.ENOENT:
        return (
            f"dossier de sortie introuvable : {folder} (pour écrire {path.name}) ; créez-le d'abord"
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"impossible d'écrire {path} : dossier {folder} en lecture seule "
            "ou sans droit d'écriture"
        )
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"disque plein en écrivant {path} : aucun fichier écrit"
    if code == errno.EISDIR:
        return f"{path} est un dossier, pas un fichier"
    if code == errno.ENOTDIR:
        return f"{folder} n'est pas un dossier (pour écrire {path.name})"
    reason = exc.strerror or exc.__class__.__name__
    return f"écriture de {path} impossible : {reason}"


def check_output(output: str | Path, *inputs: str | Path | None, folder: bool = False) -> Path:
    """Refuse, before any work, an output that would overwrite an input or cannot be written.

    Parameters
    ----------
    output : path
        The file (or, with ``folder=True``, the folder) the command will write.
    *inputs : path or None
        The files the command reads; ``None`` entries are ignored.
    folder : bool
        ``output`` is a folder written as a whole (a Parquet dataset).

    Returns
    -------
    Path
        ``output`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        ``output`` is one of the inputs (same path or same file), is an existing folder
        where a file is expected, or its folder is missing or not writable.
    """
    out = Path(output)
    for given in inputs:
        if given is None:
            continue
        source = Path(given)
        same = out.resolve() == source.resolve()
        if not same and out.exists() and source.exists():
            same = os.path.samefile(out, source)
        if same:
            raise OutputError(
                f"le fichier de sortie {out} est aussi un fichier d'entrée : "
                "choisissez un autre nom (l'entrée n'a pas été modifiée)"
            )
    if out.is_dir() and not folder:
        raise OutputError(describe_os_error(out, OSError(errno.EISDIR, "")))
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        code = errno.ENOTDIR if parent.exists() else errno.ENOENT
        raise OutputError(describe_os_error(out, OSError(code, "")))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(describe_os_error(out, OSError(errno.EACCES, "")))
    return out


def _temp_name(final: Path, parent: Path) -> Path:
    return parent / f".{final.name}.{os.urandom(6).hex()}{TEMP_SUFFIX}"


def _create_temp(tmp: Path, folder: bool) -> None:
    if folder:
        tmp.mkdir(mode=0o700)
    else:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _remove(tmp: Path | None) -> None:
    if tmp is None:
        return
    try:
        if tmp.is_dir() and not tmp.is_symlink():
            import shutil  # here, not above: every command imports this module

            shutil.rmtree(tmp)
        else:
            tmp.unlink(missing_ok=True)
    except OSError as exc:  # never hide the original failure behind this one
        log.warning("could not remove temporary %s: %s", tmp, exc)


@contextmanager
def atomic_path(path: str | Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block ends well.

    For libraries that want a file name (openpyxl, pyarrow, matplotlib). The temporary
    file exists, empty, when the block starts (``folder=True``: an empty folder, for
    writers of a whole dataset).

    Raises
    ------
    OutputError
        The folder is missing or read-only, the disk is full... (the temporary file is
        removed and the final name left as it was).
    OutputInterruptedError
        Ctrl+C during the block (same clean-up), exit code 130.
    """
    final = Path(path)
    parent = final.parent if str(final.parent) else Path(".")
    tmp: Path | None = None
    renamed = False
    try:
        # The name is known before the file exists: a Ctrl+C landing just after its
        # creation (signals reach Python between two bytecodes) still removes it.
        tmp = _temp_name(final, parent)
        _create_temp(tmp, folder)
        yield tmp
        # The temporary file is 0600; give the output the usual permissions.
        os.chmod(tmp, (0o777 if folder else 0o666) & ~_umask())
        if folder and final.is_dir():
            import shutil

            shutil.rmtree(final)
        os.replace(tmp, final)
        renamed = True
    except BaseException as exc:
        if renamed:  # too late to undo: the file is complete
            raise
        _failed(exc, final, tmp)
    log.debug("wrote %s", final)


def _failed(exc: BaseException, final: Path, tmp: Path | None) -> NoReturn:
    """Remove the temporary file (or folder) and raise the French error for ``exc``."""
    if not (isinstance(exc, FileExistsError) and exc.filename == str(tmp)):
        _remove(tmp)  # (never another process's file of the same random name)
    late = _interrupted and not isinstance(exc, ZoningError)
    if isinstance(exc, KeyboardInterrupt) or late:
        raise OutputInterruptedError(
            f"interrompu pendant l'écriture de {final} : aucun fichier écrit sous ce nom"
        ) from exc
    if isinstance(exc, OSError):
        raise OutputError(describe_os_error(final, exc)) from exc
    raise exc


@contextmanager
def atomic_files(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; the files written in it are moved
    beside ``path`` (same names) when the block ends well.

    For outputs made of several files (a Shapefile and its ``.dbf``, ``.shx``...; one
    FlatGeobuf per layer): nothing appears until every file is complete, then each is
    renamed into place (each rename is atomic; the set is as close to it as a folder
    allows). On failure the folder is removed and nothing is left beside ``path``.

    Raises
    ------
    OutputError, OutputInterruptedError
        As :func:`atomic_path`.
    """
    final = Path(path)
    parent = final.parent if str(final.parent) else Path(".")
    tmp: Path | None = None
    moved = False
    try:
        tmp = _temp_name(final, parent)
        _create_temp(tmp, True)
        yield tmp
        mode = 0o666 & ~_umask()
        items = sorted(tmp.iterdir())
        for item in items:
            os.chmod(item, mode)
        moved = True  # from here on, files reach their final names
        for item in items:
            os.replace(item, parent / item.name)
        tmp.rmdir()
    except BaseException as exc:
        if moved:
            _remove(tmp)
            raise
        _failed(exc, final, tmp)
    log.debug("wrote the files of %s", final)


@contextmanager
def atomic_open(
    path: str | Path,
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; it becomes ``path`` when the block ends well.

    ``mode`` is ``"w"`` (text, with ``encoding`` and ``newline``) or ``"wb"``.
    """
    binary = "b" in mode
    with atomic_path(path) as tmp:
        try:
            handle = (
                open(tmp, mode)  # noqa: SIM115 - closed below, before the rename
                if binary
                else open(tmp, mode, encoding=encoding, newline=newline)  # noqa: SIM115
            )
        except OSError as exc:
            raise OutputError(describe_os_error(Path(path), exc)) from exc
        with handle:
            yield handle


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_open(path, encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


__all__ = [
    "OutputError",
    "OutputInterruptedError",
    "atomic_files",
    "atomic_open",
    "atomic_path",
    "check_output",
    "describe_os_error",
    "record_interrupts",
    "was_interrupted",
    "write_bytes",
    "write_text",
]
