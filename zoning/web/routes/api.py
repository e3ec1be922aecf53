"""The JSON API: one place, a list, commune suggestions."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from zoning.errors import InvalidInputError
from zoning.web import services
from zoning.web.app import get_store
from zoning.web.routes.batch import read_upload, write_upload
from zoning.web.routes.check import parse_date

router = APIRouter(prefix="/api", tags=["API"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "recherche ou date illisible"},
    404: {"description": "lieu inconnu"},
    409: {"description": "plusieurs communes possibles (le message les liste)"},
    422: {"description": "hors de la couverture (région ou date sans arrêté connu)"},
    503: {"description": "géocodeur ou magasin de zonage indisponible"},
}

_MEDIA = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "application/geo+json": ".geojson",
}


def _json_value(value: Any) -> Any:
    """A cell as JSON holds it: a value read as infinite or NaN (« inf », « nan » typed in a
    cell) becomes null, which JSON can carry (the row's status and reasons say why)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@router.get("/check", responses=_ERRORS, response_model=None)
async def api_check(
    request: Request,
    q: str = Query(
        ..., description="commune, code INSEE, « CP nom », adresse, FINESS, « lon, lat »"
    ),
    date: str | None = Query(
        None,
        description="AAAA-MM-JJ ; absent : aujourd'hui, comme `zoning check` ; vide : "
        "dernier arrêté chargé, avec la mise en garde",
    ),
) -> JSONResponse:
    """La zone d'un lieu : le même JSON que `zoning check --json`."""
    # Like the command: no date is today's decree, never an expired one in silence.
    on = dt.date.today() if date is None else parse_date(date)
    store = get_store(request)
    if services.needs_network(q):  # the geocoder answers in its own time: off the loop
        answer = await asyncio.to_thread(services.check, store, q, on)
    else:  # keyed lookups answer in well under a millisecond: no thread hop
        answer = services.check(store, q, on)
    return JSONResponse(answer.to_json())


@router.get("/communes")
def api_communes(
    request: Request,
    prefix: str = Query(..., max_length=100, description="début du nom de la commune"),
    limit: int = Query(10, ge=1, le=50),
) -> list[dict[str, str]]:
    """Communes dont le nom commence ainsi (accents, casse et « Saint »/« St » ignorés)."""
    return services.suggest(get_store(request), prefix, limit)


@router.post("/batch", responses=_ERRORS)
async def api_batch(
    request: Request,
    file: Annotated[UploadFile, File(description="liste CSV ou Excel (.xlsx)")],
    programme: Annotated[str, Form(description="identifiant du programme, ex. na-mg-2023")],
) -> Any:
    """Vérifie une liste : résultats en JSON, ou en fichier selon l'en-tête `Accept`
    (xlsx, text/csv, application/geo+json)."""
    accept = request.headers.get("accept", "application/json")
    suffix = next((s for media, s in _MEDIA.items() if media in accept), None)
    uploads = request.app.state.uploads
    with request.app.state.heavy.slot():  # full: 429 with Retry-After
        return await _api_batch(request, uploads, file, programme, suffix)


async def _api_batch(
    request: Request, uploads: Any, file: UploadFile, programme: str, suffix: str | None
) -> Response:
    """The run of :func:`api_batch`, in its slot for heavy work."""
    upload = await read_upload(uploads, file)  # headers read and matched there
    try:
        if programme not in dict(services.programmes()):
            raise InvalidInputError(f"programme inconnu « {programme[:60]} »")
        columns = upload.columns
        overrides = services.column_overrides(columns.headers, columns.mapping)
        # Nobody follows an API call's progress: no state written on the way.
        store = get_store(request)
        run = await asyncio.to_thread(
            services.check_batch, store, upload.source, programme, overrides
        )
        if suffix is None:  # JSON, from the checked rows: no file written
            uploads.delete(upload.token)
            return JSONResponse(
                {
                    "programme": programme,
                    "lignes": run.rows,
                    "statuts": run.counts,
                    "colonnes": run.headers,
                    "resultats": [
                        dict(zip(run.headers, map(_json_value, r), strict=True)) for r in run.table
                    ],
                }
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
