"""Jinja2 templates of the pages (autoescaped: every string from data is escaped)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from zoning import __version__
from zoning.io.french import format_date, format_number

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.globals["version"] = __version__

#: Pages of the main menu: (path, title).
MENU = (
    ("/", "Vérifier un lieu"),
    ("/liste", "Vérifier une liste"),
    ("/couverture", "Carte de couverture"),
    ("/simuler", "Simuler (projet)"),
    ("/donnees", "Données"),
    ("/api/docs", "API"),
    ("/aide", "Aide"),
)


def _french_number(value: Any, digits: int = 0) -> str:
    """12 345 or 12,34: numbers as French readers write them."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN
        return "—"
    return format_number(number, digits)


def _motif_title(code: str) -> str:
    """The catalogue's title of a reason code (the code itself when it has none)."""
    from zoning.reasons import title

    return title(code) or code


def _code_spans(text: str) -> Markup:
    """Text of the catalogue with its `command` spans as <code> (escaped first: data
    never becomes markup)."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


TEMPLATES.env.filters["nombre"] = _french_number
TEMPLATES.env.filters["codes"] = _code_spans
TEMPLATES.env.filters["titre_motif"] = _motif_title
TEMPLATES.env.filters["date"] = format_date


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a page with the menu, the current path marked."""
    context = {"menu": MENU, "path": request.url.path, **context}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)
