"""Page « Vérifier une liste »: upload, column mapping, run, results, downloads, map."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from zoning.errors import BusyError, InvalidInputError, NotFoundError, ZoningError
from zoning.io.atomic import write_text
from zoning.report.motifs import paired
from zoning.report.results import BatchRun
from zoning.report.schema import REASON_CODES, REASONS
from zoning.web import errors, services
from zoning.web.deps import get_store
from zoning.web.models import BatchProgress
from zoning.web.templating import render
from zoning.web.uploads import MAX_BYTES, MAX_ROWS, SUFFIXES, RunView, Upload, Uploads

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: Download name -> (suffix, media type)
DOWNLOADS = {
    "resultats.xlsx": (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "resultats.csv": (".csv", "text/csv; charset=utf-8"),
    "resultats.geojson": (".geojson", "application/geo+json"),
}


async def read_upload(uploads: Uploads, file: UploadFile) -> Upload:
    """Read an uploaded file (at most :data:`MAX_BYTES`) into a private folder, rows checked."""
    data = await file.read(MAX_BYTES + 1)
    upload = uploads.add(file.filename or "liste", data)
    try:
        upload.columns = services.read_columns(upload.source)
        upload.save()
    except BaseException:
        uploads.delete(upload.token)
        raise
    if upload.columns.rows > MAX_ROWS:
        uploads.delete(upload.token)
        raise InvalidInputError(
            f"{upload.display_name} : {upload.columns.rows} lignes, {MAX_ROWS} au plus par liste"
        )
    return upload


def check_upload(request: Request, upload: Upload, overrides: dict[str, str | None]) -> BatchRun:
    """Check the rows of an upload (nothing written yet), following its progress."""

    def follow(stage: str, done: int, total: int) -> None:
        upload.progress = (stage, done, total)
        upload.save()  # read by whichever worker answers the page's next look

    return services.check_batch(
        get_store(request), upload.source, upload.programme, overrides, follow
    )


def write_upload(upload: Upload, run: BatchRun, suffix: str) -> Path:
    """Write a checked upload as ``resultats<suffix>`` beside it."""
    upload.progress = (f"écriture {suffix.lstrip('.').upper()}", run.rows, run.rows)
    upload.save()
    output = services.write_batch(run, upload.folder / f"resultats{suffix}")
    upload.outputs[suffix] = output
    upload.save()
    return output


def _run_all(
    request: Request, upload: Upload, overrides: dict[str, str | None], free: Callable[[], None]
) -> None:
    """Background run: rows checked once, then Excel, CSV, GeoJSON and the posts map
    written from the same results; the page turns to the results when all are ready.
    ``free`` gives back the worker's slot for heavy work when the run ends."""
    try:
        run = check_upload(request, upload, overrides)
        for suffix in (".xlsx", ".csv", ".geojson"):
            write_upload(upload, run, suffix)
        upload.progress = ("carte des postes", run.rows, run.rows)
        upload.save()
        try:
            page = services.posts_map_html(upload.outputs[".geojson"], get_store(request))
        except ZoningError as exc:  # the results stand without their map: say why
            upload.map_note = str(exc).replace(str(upload.folder) + "/", "")
        else:
            path = upload.folder / "carte.html"
            write_text(path, page)
            upload.outputs[".html"] = path
        ref = run.column_map.fields.get("ref")
        view = RunView(
            run.headers,
            run.table,
            ref,
            {str(k): n for k, n in run.counts.items()},
            run.programme.title,
        )
        upload.save_results(view)
        upload.seconds = time.perf_counter() - upload.started
        upload.state = "terminé"
    except ZoningError as exc:
        upload.state, upload.message = "erreur", str(exc)
        upload.release_run()  # the person may correct the mapping and start again
    except Exception:  # never a traceback to the person; the log keeps no row content
        log.exception("batch run failed")
        upload.state, upload.message = "erreur", "erreur interne pendant la vérification"
    finally:
        if upload.state == "terminé":
            upload.source.unlink(missing_ok=True)
        upload.save()
        free()


@router.get("/liste", response_class=HTMLResponse)
def batch_page(request: Request) -> HTMLResponse:
    """Formulaire d'envoi d'une liste."""
    return render(request, "batch.html", _limits())


def _limits() -> dict[str, Any]:
    return {
        "max_mb": MAX_BYTES // 2**20,
        "max_rows": MAX_ROWS,
        "suffixes": ", ".join(SUFFIXES),
        "programmes": services.programmes(),
    }


@router.post("/liste")
async def batch_upload(request: Request) -> Response:
    """Réception du fichier : dossier privé, lecture des en-têtes, puis page de correspondance."""
    form = await request.form()
    file = form.get("fichier")
    programme = str(form.get("programme") or "")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInputError("choisissez un fichier CSV ou Excel")
        with request.app.state.heavy.slot():  # reading a workbook is heavy work too
            upload = await read_upload(request.app.state.uploads, file)
    except BusyError as exc:
        return errors.error_answer(request, exc)
    except ZoningError as exc:
        return render(request, "batch.html", {**_limits(), "error": str(exc)}, exc.http_status)
    upload.programme = programme
    upload.save()
    return RedirectResponse(f"/liste/{upload.token}", status_code=303)


def _results_view(upload: Upload, run: RunView, statut: str, dep: str, tri: str) -> dict[str, Any]:
    headers = list(run.headers)
    col = {name: headers.index(name) for name in headers}
    ref = run.ref

    def cell(row: list[Any], name: str | None) -> Any:
        return row[col[name]] if name in col else None

    rows = []
    first_line = upload.columns.header_line + 1  # the file's own line numbers, as reasons say
    for number, row in enumerate(run.table, start=first_line):
        rows.append(
            {
                "ligne": number,
                "ref": cell(row, ref),
                "statut": cell(row, "statut"),
                "departement": cell(row, "departement_site1") or "",
                "commune": cell(row, "commune_site1"),
                "zone": cell(row, "zone_site1"),
                "motifs": paired(cell(row, REASONS), cell(row, REASON_CODES)),
                "remarques": cell(row, "remarques"),
            }
        )
    departements = sorted({r["departement"] for r in rows if r["departement"]})
    shown = [
        r
        for r in rows
        if (not statut or r["statut"] == statut) and (not dep or r["departement"] == dep)
    ]
    if tri in ("statut", "departement", "zone"):
        shown.sort(key=lambda r: (str(r[tri] or "~"), r["ligne"]))
    return {
        "rows": shown,
        "total": len(rows),
        "departements": departements,
        "statuses": list(run.counts),
        "counts": run.counts,
        "statut": statut,
        "dep": dep,
        "tri": tri,
        "programme_title": run.programme_title,
    }


@router.get("/liste/{token}", response_class=HTMLResponse)
def batch_status(
    request: Request, token: str, statut: str = "", dep: str = "", tri: str = "ligne"
) -> HTMLResponse:
    """Correspondance des colonnes, progression, ou résultats."""
    upload = request.app.state.uploads.get(token)
    context: dict[str, Any] = {"upload": upload, **_limits()}
    if upload.state == "lu" or upload.state == "erreur":
        context["fields"] = services.column_fields()
    elif upload.state == "terminé" and (run := upload.run) is not None:
        context.update(_results_view(upload, run, statut, dep, tri))
    return render(request, "batch_run.html", context)


@router.post("/liste/{token}/lancer")
async def batch_start(request: Request, token: str) -> Response:
    """Lance la vérification avec la correspondance choisie."""
    upload = request.app.state.uploads.get(token)
    if upload.state == "en cours" or upload.state == "terminé":
        return RedirectResponse(f"/liste/{token}", status_code=303)
    form = await request.form()
    programme = str(form.get("programme") or "")
    known = dict(services.programmes())
    if programme not in known:
        upload.state, upload.message = "erreur", "choisissez un programme dans la liste"
        upload.save()
        return RedirectResponse(f"/liste/{token}", status_code=303)
    headers = upload.columns.headers
    mapping = {h: str(form.get(f"col{i}") or "") for i, h in enumerate(headers)}
    upload.columns.mapping = mapping
    upload.programme = programme
    chosen: dict[str, list[str]] = {}
    for header, name in mapping.items():
        if name:
            chosen.setdefault(name, []).append(header)
    twice = {name: headers for name, headers in chosen.items() if len(headers) > 1}
    if twice:
        fields = services.column_fields()
        upload.state = "erreur"
        upload.message = "un champ ne peut venir que d'une colonne : " + " ; ".join(
            f"{fields.get(n, n)} choisi pour « {' », « '.join(h)} »" for n, h in twice.items()
        )
        upload.save()
        return RedirectResponse(f"/liste/{token}", status_code=303)
    free = request.app.state.heavy.take()  # full: 429, the mapping page stays as it was
    if not upload.claim_run():  # a second click, maybe answered by another worker
        free()
        return RedirectResponse(f"/liste/{token}", status_code=303)
    upload.state, upload.message = "en cours", ""
    upload.started = time.perf_counter()
    upload.save()
    overrides = services.column_overrides(headers, mapping)
    run = threading.Thread(target=_run_all, args=(request, upload, overrides, free), daemon=True)
    run.start()
    return RedirectResponse(f"/liste/{token}", status_code=303)


@router.get("/liste/{token}/etat", response_model=BatchProgress)
def batch_progress(request: Request, token: str) -> BatchProgress:
    """Where a run is, for the page's script: state, stage, rows done, files ready."""
    upload = request.app.state.uploads.get(token)
    stage, done, total = upload.progress
    return BatchProgress(
        etat=upload.state, etape=stage, faites=done, total=total, prets=sorted(upload.outputs)
    )


@router.get("/liste/{token}/{name}")
def batch_download(request: Request, token: str, name: str) -> Response:
    """Téléchargement d'un résultat (effacé après l'envoi), ou la carte des postes."""
    upload = request.app.state.uploads.get(token)
    if name == "carte.html":
        path = upload.outputs.get(".html")
        try:
            if path is None:
                raise FileNotFoundError(name)
            return HTMLResponse(path.read_text(encoding="utf-8"))
        except OSError as exc:  # not drawn yet, or the list was deleted meanwhile
            raise NotFoundError("carte pas encore prête, ou liste effacée") from exc
    if name not in DOWNLOADS:
        raise NotFoundError(f"fichier inconnu « {name[:40]} »")
    suffix, media = DOWNLOADS[name]
    path = upload.outputs.get(suffix)
    gone = "fichier pas encore prêt, ou déjà téléchargé (relancez la liste)"
    if path is None:
        raise NotFoundError(gone)
    # Claimed by a rename, atomic across requests and workers: of two downloads at
    # once, one gets the file and the other a 404, never a 200 that ends after 0 bytes.
    sending = path.with_name(f".envoi-{secrets.token_hex(8)}{suffix}")
    try:
        os.rename(path, sending)
    except FileNotFoundError as exc:
        raise NotFoundError(gone) from exc
    # Removed once the response has been sent whole (or with the upload, after an hour).
    return FileResponse(
        sending, media_type=media, filename=name, background=BackgroundTask(sending.unlink, True)
    )


@router.post("/liste/{token}/supprimer")
def batch_delete(request: Request, token: str) -> Response:
    """Efface tout de suite le fichier envoyé et ses résultats."""
    request.app.state.uploads.delete(token)
    return RedirectResponse("/liste", status_code=303)
