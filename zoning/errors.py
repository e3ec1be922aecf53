"""Errors a user can act on.

Each carries a message written for the person at the keyboard; the command line prints
it without a traceback and exits non-zero.
"""

from __future__ import annotations


class ZoningError(Exception):
    """Base class: a problem the user can fix (bad input, missing file, unknown code)."""

    exit_code = 2


class SourceMissingError(ZoningError):
    """A source file is not where the manifest says it should be."""


class SourceFormatError(ZoningError):
    """A source file does not have the expected format (names the file and the line)."""


class StoreMissingError(ZoningError):
    """No zoning store has been built yet at the configured place."""


class NotFoundError(ZoningError):
    """An unknown commune code, FINESS number or name."""

    exit_code = 3


class AmbiguousError(ZoningError):
    """A name that matches several communes."""

    exit_code = 4


class OutsideCoverageError(ZoningError):
    """A place outside every region (or date) the store covers."""

    exit_code = 5


class DecreeNotLoadedError(OutsideCoverageError):
    """The decree in force on the date asked has no class table in the store."""


class InvalidInputError(ZoningError):
    """Malformed input: coordinates, codes, dates."""


class TooLargeError(InvalidInputError):
    """An upload over the size limit (HTTP 413)."""


class BusyError(ZoningError):
    """Every slot for heavy work (lists, uploads, maps) is taken: try again shortly."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OutputError(ZoningError):
    """An output file cannot be written (folder missing or read-only, disk full...)."""


class OutputInterruptedError(OutputError):
    """The run was interrupted (Ctrl+C) while an output was being written."""

    exit_code = 130


class MissingExtraError(ZoningError):
    """An optional part (web app, local geocoder, dask) is not installed."""
