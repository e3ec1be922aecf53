"""Library errors as HTTP answers: the class's status, a French message, never a traceback.

Pages get the site's error page, ``/api/*`` a JSON body ``{"erreur", "code"}``; an
unexpected failure (500) is answered the same way, with the security headers, and only
the log keeps its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from zoning.errors import BusyError, ZoningError

log = logging.getLogger(__name__)

#: What a person reads for the HTTP errors the framework raises itself.
_HTTP_MESSAGES = {
    404: "page introuvable",
    405: "méthode non permise pour cette adresse",
    413: "requête trop grosse",
    500: "erreur interne du serveur : l'incident est noté dans le journal du service",
}


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """The error page of the site, with the library's French message."""
    from zoning.web.templating import render

    return render(request, "error.html", {"message": message, "status": status}, status)


def message_answer(request: Request, message: str, status: int, code: int) -> Response:
    """A French message as the error page, or as JSON under ``/api/``."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreur": message, "code": code}, status_code=status)
    return error_page(request, message, status)


def error_answer(request: Request, exc: ZoningError) -> Response:
    """The answer to a library error (429 says when to come back)."""
    response = message_answer(request, str(exc), exc.http_status, exc.exit_code)
    if isinstance(exc, BusyError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def http_answer(request: Request, status: int, detail: str | None) -> Response:
    """The framework's own HTTP errors (unknown page, wrong method...) in French."""
    message = _HTTP_MESSAGES.get(status) or detail or f"erreur {status}"
    return message_answer(request, message, status, status)


#: Where a request's value was looked for, in French.
_WHERE = {"query": "paramètre", "body": "champ", "path": "adresse", "header": "en-tête"}


def validation_answer(request: Request, problems: Sequence[Any]) -> Response:
    """The framework's check of a request's parameters (FastAPI's 422, English ``detail``)
    as the app's other errors: one French sentence, ``{"erreur", "code"}`` under /api/."""
    said = []
    for problem in problems:
        where = [str(part) for part in problem.get("loc", ())]
        kind = _WHERE.get(where[0], "valeur") if where else "valeur"
        name = ".".join(where[1:]) or "?"
        what = "manquant" if problem.get("type") == "missing" else "invalide"
        said.append(f"{kind} « {name} » {what}")
    message = "requête incomplète ou invalide : " + " ; ".join(said or ["valeur invalide"])
    return message_answer(request, message, 422, 422)


def internal_answer(request: Request, exc: Exception) -> Response:
    """A failure nobody foresaw: logged with its traceback, answered in French (500)
    with the security headers (this answer is sent outside the middleware adding them)."""
    from zoning.web.security import add_headers

    log.error("erreur interne sur %s", request.url.path, exc_info=exc)
    response = message_answer(request, _HTTP_MESSAGES[500], 500, 500)
    add_headers(response.headers, request.url.path)
    return response
