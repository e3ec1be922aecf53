"""FINESS lookups: where an establishment is and its legal category, from the FINESS files.

Every way into the tool that takes a FINESS number (the batch's rows, ``check --finess``,
the search field, the geocoder) reads it through :func:`zoning.identifiers.normalise_finess`
and finds it through :func:`finess_site`: one rule for what a FINESS number is, one
answer for whether the files know it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from zoning.errors import InvalidInputError, NotFoundError, ZoningError
from zoning.sources.finess import FinessDirectory, FinessSite

log = logging.getLogger(__name__)

#: FINESS ET number -> (lon, lat, INSEE code or None), or None when unknown.
FinessLocator = Callable[[str], tuple[float | None, float | None, str | None] | None]
#: FINESS ET number -> the establishment's legal category as its record says it:
#: « public », « prive » (ESPIC or for-profit, the source does not tell), or None.
FinessStatus = Callable[[str], str | None]

_LEGAL_STATUS = {"public": "public", "private": "prive", "prive": "prive"}


def finess_site(directory: FinessDirectory, value: object) -> FinessSite:
    """The establishment of a FINESS number, however the number was typed.

    Raises
    ------
    InvalidInputError
        The value cannot be a FINESS number (see :func:`zoning.identifiers.normalise_finess`).
    NotFoundError
        A well-formed number the loaded files do not hold.
    """
    return directory.get(value)


def _known(directory: FinessDirectory, number: str) -> FinessSite | None:
    """The establishment of ``number``, or None when malformed or unknown."""
    try:
        return finess_site(directory, number)
    except (InvalidInputError, NotFoundError):
        return None


def finess_locator_from_directory(directory: FinessDirectory) -> FinessLocator:
    """Where establishments are, from a :class:`~zoning.sources.finess.FinessDirectory`."""

    def locate(number: str) -> tuple[float | None, float | None, str | None] | None:
        site = _known(directory, number)
        return None if site is None else (site.lon, site.lat, site.citycode)

    return locate


def finess_status_from_directory(directory: FinessDirectory) -> FinessStatus:
    """The legal category of establishments from their FINESS records (:data:`FinessStatus`)."""

    def status(number: str) -> str | None:
        site = _known(directory, number)
        value = str((site.legal_status if site else None) or "").strip().lower()
        return _LEGAL_STATUS.get(value)

    return status


def _finess_directory(sources_dir: Path) -> FinessDirectory | None:
    from zoning.sources.finess import load_finess_directory

    try:
        directory = load_finess_directory(sources_dir)
    except (ZoningError, OSError) as exc:
        log.warning("FINESS lookups unavailable: %s", exc)
        return None
    if not len(directory):
        log.warning("FINESS lookups unavailable: no FINESS file in %s", sources_dir)
        return None
    return directory


_LOCK = threading.Lock()
_LOADED: dict[str, tuple[FinessLocator | None, FinessStatus | None]] = {}


def finess_lookups(sources_dir: Path) -> tuple[FinessLocator | None, FinessStatus | None]:
    """Location and legal-category lookups from one read of a sources folder's FINESS
    files, kept for the process (the files do not change under a running tool)."""
    key = str(Path(sources_dir).resolve())
    with _LOCK:
        if key not in _LOADED:
            directory = _finess_directory(Path(sources_dir))
            _LOADED[key] = (
                (None, None)
                if directory is None
                else (
                    finess_locator_from_directory(directory),
                    finess_status_from_directory(directory),
                )
            )
        return _LOADED[key]


def default_finess_locator(sources_dir: Path) -> FinessLocator | None:
    """FINESS locations from the FINESS files of a sources folder, or None if it has none."""
    return finess_lookups(sources_dir)[0]
