"""Errors a user can act on: every error class of the tool, in one place.

Each carries a message written for the person at the keyboard; the command line prints
it without a traceback and exits with the class's ``exit_code``, the web app answers
with its ``http_status`` (and the exit code as the JSON body's ``code``). A subclass
that sets neither inherits its parent's.

=================================  ====  ====
class                              exit  HTTP
=================================  ====  ====
ZoningError (and most below)          2   400
StoreMissingError                     2   503
NotFoundError                         3   404
AmbiguousError                        4   409
OutsideCoverageError                  5   422
TooLargeError                         2   413
BusyError                             2   429
ServiceUnavailableError               6   503
OutputInterruptedError              130   400
=================================  ====  ====

``zoning check`` also ends with a status when its answer needs checking, though nothing
failed: :data:`EXIT_NOT_LOADED` and :data:`EXIT_EXPIRED`.
"""

from __future__ import annotations


class ZoningError(Exception):
    """Base class: a problem the user can fix (bad input, missing file, unknown code)."""

    exit_code = 2
    http_status = 400


# -- what the user asked ---------------------------------------------------------------


class InvalidInputError(ZoningError):
    """Malformed input: coordinates, codes, dates."""


class TooLargeError(InvalidInputError):
    """An upload over the size limit."""

    http_status = 413


class ProgrammeFileError(InvalidInputError):
    """A programme rules file is malformed (the message names the file and the field)."""


class NotFoundError(ZoningError):
    """An unknown commune code, FINESS number or name."""

    exit_code = 3
    http_status = 404


class AmbiguousError(ZoningError):
    """A name that matches several communes."""

    exit_code = 4
    http_status = 409


class OutsideCoverageError(ZoningError):
    """A place outside every region (or date) the store covers."""

    exit_code = 5
    http_status = 422


class DecreeNotLoadedError(OutsideCoverageError):
    """The decree in force on the date asked has no class table in the store."""


#: ``zoning check``: the decree in force that day has no classes in the store (the
#: answer names the decree and the command that loads it).
EXIT_NOT_LOADED = DecreeNotLoadedError.exit_code
#: ``zoning check``: classes of a decree past its stated end, successor not yet in force
#: (the answer is given, « à vérifier »).
EXIT_EXPIRED = 7


# -- sources and store -----------------------------------------------------------------


class SourceMissingError(ZoningError):
    """A source file is not where the manifest says it should be."""


class SourceFormatError(ZoningError):
    """A source file does not have the expected format (names the file and the line)."""


class SourceChangedError(ZoningError):
    """Source files differ from the sizes/hashes pinned in the manifest."""


class DownloadError(ZoningError):
    """An upstream file could not be downloaded (or differs from the manifest's pins)."""


class StoreMissingError(ZoningError):
    """No zoning store has been built yet at the configured place."""

    http_status = 503


class StoreIntegrityError(ZoningError):
    """The store is from another format version, incomplete or damaged: rebuild it."""


# -- web services ----------------------------------------------------------------------


class ServiceUnavailableError(ZoningError):
    """A web service did not answer usefully after every retry (down, overloaded, refusing)."""

    exit_code = 6
    http_status = 503


class GeocoderUnavailableError(ServiceUnavailableError):
    """The geocoder did not answer (down, overloaded, or refusing) after every retry."""


class RetiredGeocoderError(GeocoderUnavailableError):
    """``ZONING_ADDOK_URL`` names the former BAN API, which no longer exists."""


class RoutingError(ServiceUnavailableError):
    """The routing service (OSRM) gave no usable answer: down, refusing, or no route.

    Caught by the distance rule, which then leaves the verdict « à vérifier ».
    """


class GeocoderError(ZoningError):
    """The local geocoder could not be started or loaded."""


# -- the machine -----------------------------------------------------------------------


class BusyError(ZoningError):
    """Every slot for heavy work (lists, uploads, maps) is taken: try again shortly."""

    http_status = 429

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


class MapAssetsMissingError(ZoningError):
    """The npm packages the maps inline are not installed (run ``npm ci``)."""
