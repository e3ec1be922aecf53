"""Page « Aide »: the catalogue of reasons, grouped by verdict, and the users' guides.

Each code of the catalogue (``zoning/help/motifs.toml``) is a section whose id is the
code itself, so that a reason anywhere links to ``/aide#<CODE>``; the guides
(``docs/guide-*.md``) are rendered under ``/aide/<guide>`` with their images.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from zoning.reasons import Entry, catalogue
from zoning.web import guides
from zoning.web.guides import slug
from zoning.web.templating import render

router = APIRouter(include_in_schema=False)

#: The verdicts in the order a user meets them, with what the page says of each. A verdict
#: the catalogue has and this table lacks still gets its section, after these.
VERDICTS: dict[str, str] = {
    "à vérifier": "L'outil ne peut pas trancher seul : un document, une précision ou une "
    "décision de l'instructeur est nécessaire.",
    "données invalides": "Une valeur de la ligne est illisible ou mal formée : corrigez-la "
    "dans le fichier et relancez la vérification.",
    "non éligible": "Un critère du programme n'est pas rempli : le motif dit lequel.",
    "information": "Dit à titre d'information : le verdict n'en dépend pas.",
}


def by_verdict(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """The entries grouped by verdict, known verdicts first (in :data:`VERDICTS`' order)."""
    groups: dict[str, list[Entry]] = {verdict: [] for verdict in VERDICTS}
    for item in entries:
        groups.setdefault(item.verdict, []).append(item)
    return [
        {
            "verdict": verdict,
            "id": f"verdict-{slug(verdict)}",
            "intro": VERDICTS.get(verdict, ""),
            "entries": items,
        }
        for verdict, items in groups.items()
        if items
    ]


@router.get("/aide", response_class=HTMLResponse)
def help_page(request: Request) -> HTMLResponse:
    """Questions fréquentes, guides, et chaque motif : sens, pourquoi, que faire."""
    context = {"groups": by_verdict(catalogue().values()), "guides": guides.GUIDES}
    return render(request, "aide.html", context)


@router.get("/aide/img/{name}")
def guide_image(name: str) -> FileResponse:
    """Une image des guides (captures d'écran prises par les tests du navigateur)."""
    return FileResponse(guides.image(name), media_type="image/png")


@router.get("/aide/{name}", response_class=HTMLResponse)
def guide_page(request: Request, name: str) -> HTMLResponse:
    """Un guide (Markdown de ``docs/``) rendu en HTML."""
    return render(request, "guide.html", {"guide": guides.guide(name), "guides": guides.GUIDES})
