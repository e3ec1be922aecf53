"""Library errors as HTTP answers: a status per kind, a French message, never a traceback."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from zoning.errors import (
    AmbiguousError,
    NotFoundError,
    OutsideCoverageError,
    StoreMissingError,
    ZoningError,
)

#: Exit code of the command line -> HTTP status (6: geocoder down).
_BY_EXIT_CODE = {2: 400, 3: 404, 4: 409, 5: 422, 6: 503}


def status_of(exc: ZoningError) -> int:
    """HTTP status for a library error: 400 bad, 404 unknown, 409 ambiguous, 422 outside."""
    if isinstance(exc, StoreMissingError):
        return 503
    for kind, status in ((NotFoundError, 404), (AmbiguousError, 409), (OutsideCoverageError, 422)):
        if isinstance(exc, kind):
            return status
    return _BY_EXIT_CODE.get(exc.exit_code, 400)


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """The error page of the site, with the library's French message."""
    from zoning.web.templating import render

    return render(request, "error.html", {"message": message, "status": status}, status)
