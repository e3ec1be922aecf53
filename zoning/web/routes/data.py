"""Page « Données »: decrees, sources with vintages and sha256, the build report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zoning.web import services
from zoning.web.deps import StoreDep
from zoning.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/donnees", response_class=HTMLResponse)
def data_page(
    request: Request, store: StoreDep, adopte: str = "", retire: str = ""
) -> HTMLResponse:
    """Arrêtés chargés, sources, rapport de construction."""
    context = {
        "decrees": services.decrees(store),
        "regions": dict(services.regions(store)),
        "sources": services.data_sources(store),
        "provenance": services.provenance(store),
        "report": services.build_report(store),
        "adopted": adopte[:80],
        "removed": retire[:80],
    }
    return render(request, "data.html", context)
