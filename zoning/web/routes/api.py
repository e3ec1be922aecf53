"""The JSON API: one place, a list, commune suggestions."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from zoning.errors import InvalidInputError
from zoning.locate.answer import PlaceAnswer
from zoning.store.store import ZoningStore
from zoning.web import services
from zoning.web.deps import HeavyDep, StoreDep, UploadsDep
from zoning.web.models import BatchAnswer, CommuneSuggestion, ErrorAnswer
from zoning.web.routes.batch import read_upload, write_upload
from zoning.web.routes.check import parse_date
from zoning.web.uploads import Uploads

router = APIRouter(prefix="/api", tags=["API"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorAnswer, "description": description}
    for status, description in (
        (400, "recherche ou date illisible"),
        (404, "lieu inconnu"),
        (409, "plusieurs communes possibles (le message les liste)"),
        (422, "hors de la couverture (région ou date sans arrêté connu)"),
        (503, "géocodeur ou magasin de zonage indisponible"),
    )
}

_MEDIA = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "application/geo+json": ".geojson",
}

#: The answers of /api/batch besides JSON: the results file, by `Accept`.
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "les résultats, en JSON ou dans le fichier demandé",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in _MEDIA},
    },
    413: {"model": ErrorAnswer, "description": "fichier trop gros"},
    429: {"model": ErrorAnswer, "description": "serveur occupé (en-tête Retry-After)"},
}


@router.get("/check", responses=_ERRORS, response_model=PlaceAnswer)
async def api_check(
    store: StoreDep,
    q: str = Query(
        ..., description="commune, code INSEE, « CP nom », adresse, FINESS, « lon, lat »"
    ),
    date: str | None = Query(
        None,
        description="AAAA-MM-JJ ; absent : aujourd'hui, comme `zoning check` ; vide : "
        "dernier arrêté chargé, avec la mise en garde",
    ),
) -> Response:
    """La zone d'un lieu : le même JSON que `zoning check --json`."""
    # Like the command: no date is today's decree, never an expired one in silence.
    on = dt.date.today() if date is None else parse_date(date)
    if services.needs_network(q):  # the geocoder answers in its own time: off the loop
        answer = await asyncio.to_thread(services.check, store, q, on)
    else:  # keyed lookups answer in well under a millisecond: no thread hop
        answer = services.check(store, q, on)
    # The model is the answer's schema (response_model, for the OpenAPI page); its JSON is
    # written by pydantic at once rather than validated again by FastAPI: this route is the
    # hot one, and the bytes are the same.
    return Response(
        PlaceAnswer.of(answer.placement).model_dump_json(), media_type="application/json"
    )


@router.get("/communes", response_model=list[CommuneSuggestion])
def api_communes(
    store: StoreDep,
    prefix: str = Query(..., max_length=100, description="début du nom de la commune"),
    limit: int = Query(10, ge=1, le=50),
) -> list[CommuneSuggestion]:
    """Communes dont le nom commence ainsi (accents, casse et « Saint »/« St » ignorés)."""
    return [CommuneSuggestion(**commune) for commune in services.suggest(store, prefix, limit)]


@router.post("/batch", responses={**_ERRORS, **_FILES}, response_model=BatchAnswer)
async def api_batch(
    request: Request,
    store: StoreDep,
    uploads: UploadsDep,
    heavy: HeavyDep,
    file: Annotated[UploadFile, File(description="liste CSV ou Excel (.xlsx)")],
    programme: Annotated[str, Form(description="identifiant du programme, ex. na-mg-2023")],
) -> BatchAnswer | Response:
    """Vérifie une liste : résultats en JSON, ou en fichier selon l'en-tête `Accept`
    (xlsx, text/csv, application/geo+json)."""
    accept = request.headers.get("accept", "application/json")
    suffix = next((s for media, s in _MEDIA.items() if media in accept), None)
    with heavy.slot():  # full: 429 with Retry-After
        return await _api_batch(store, uploads, file, programme, suffix)


async def _api_batch(
    store: ZoningStore, uploads: Uploads, file: UploadFile, programme: str, suffix: str | None
) -> BatchAnswer | Response:
    """The run of :func:`api_batch`, in its slot for heavy work."""
    upload = await read_upload(uploads, file)  # headers read and matched there
    try:
        if programme not in dict(services.programmes()):
            raise InvalidInputError(f"programme inconnu « {programme[:60]} »")
        columns = upload.columns
        overrides = services.column_overrides(columns.headers, columns.mapping)
        # Nobody follows an API call's progress: no state written on the way.
        run = await asyncio.to_thread(
            services.check_batch, store, upload.source, programme, overrides
        )
        if suffix is None:  # JSON, from the checked rows: no file written
            uploads.delete(upload.token)
            return BatchAnswer.of(
                programme, run.rows, run.counts, run.headers, run.table, run.motifs
            )
        path = await asyncio.to_thread(write_upload, upload, run, suffix)
    except BaseException:
        uploads.delete(upload.token)
        raise
    media = next(m for m in _MEDIA if _MEDIA[m] == suffix)
    return FileResponse(
        path,
        media_type=media,
        filename=f"resultats{suffix}",
        background=BackgroundTask(uploads.delete, upload.token),
    )
