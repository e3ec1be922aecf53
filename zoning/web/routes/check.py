"""Page « Vérifier un lieu » and the small map's data."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from zoning.errors import InvalidInputError, ZoningError
from zoning.io.french import format_date, read_date
from zoning.web import services
from zoning.web.deps import StoreDep, get_store
from zoning.web.models import Neighbourhood
from zoning.web.templating import render

router = APIRouter()

_TITLES = {
    400: "Recherche illisible",
    404: "Lieu introuvable",
    409: "Plusieurs lieux possibles",
    422: "Hors de la couverture",
    503: "Service indisponible",
}


def parse_date(text: str | None) -> dt.date | None:
    """A date as AAAA-MM-JJ or JJ/MM/AAAA; empty is None (the latest decree)."""
    text = (text or "").strip()
    if not text:
        return None
    day = read_date(text)
    if day is not None:
        return day
    raise InvalidInputError(f"date illisible « {text[:40]} » (AAAA-MM-JJ ou JJ/MM/AAAA)")


def _colors() -> dict[str, str]:
    from zoning.map.style import ZONE_COLORS

    return dict(ZONE_COLORS)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def check_page(
    request: Request, q: str = "", date: str | None = None, fiche: str = ""
) -> HTMLResponse:
    """Vérifier un lieu : formulaire, réponse, carte, lien permanent, fiche."""
    # The store is opened for an answer only: without it, the form still shows.
    today = dt.date.today()
    date_text = today.isoformat() if date is None else date.strip()
    context: dict[str, Any] = {
        "q": q,
        "date": date_text,
        "today": format_date(today),
        "answer": None,
        "error": None,
        "fiche": bool(fiche),
        "zone_labels": services.zone_labels(),
        "colors": _colors(),
    }
    status = 200
    if q.strip():
        try:
            on = parse_date(date_text)
            store = get_store(request)
            answer = services.check(store, q, on)
            context["answer"] = answer
            context["region_name"] = store.region_name(answer.placement.region or "")
            context["date_fr"] = format_date(on) if on else ""
            context["permalink"] = "/?" + urlencode({"q": q, "date": date_text})
        except ZoningError as exc:
            status = exc.http_status
            context["error"] = {
                "status": status,
                "title": _TITLES.get(status, "Erreur"),
                "message": str(exc),
            }
    return render(request, "check.html", context, status)


@router.get("/api/commune/{code}/voisinage", tags=["carte"], response_model=Neighbourhood)
def commune_neighbourhood(
    store: StoreDep, code: str, date: str | None = Query(None, description="AAAA-MM-JJ")
) -> Neighbourhood:
    """GeoJSON d'une commune et des communes voisines, avec leur classe ce jour-là."""
    return Neighbourhood.model_validate(services.neighbourhood(store, code, parse_date(date)))
