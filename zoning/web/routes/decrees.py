"""Page « Données › Charger un arrêté »: upload an annex, preview it, adopt it, undo it.

The same import as ``zoning data import-decree`` (:func:`zoning.store.decree_import.
import_decree`): the preview writes nothing; adoption writes the store under its lock
with the audit record; « Retirer » is ``zoning data remove-decree``. The file is kept in
a private upload folder (same limits as the lists: size, type, one hour), its name never
logged. Changing the store is allowed from the server's own machine only (the service has
no authentication): a request from another address gets a 403 with a French message.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from zoning.errors import InvalidInputError, ZoningError
from zoning.io.atomic import write_text
from zoning.store.store import ZoningStore
from zoning.web import services
from zoning.web.deps import StoreDep, UploadsDep
from zoning.web.templating import render
from zoning.web.uploads import MAX_BYTES, SUFFIXES, Upload

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

ANNEX_SUFFIXES = (*SUFFIXES, ".pdf")
_PARAMS = "arrete.json"
_SHOWN_CHANGES = 200


def _local(request: Request) -> bool:
    """Whether the request comes from the server's own machine (loopback)."""
    # The same test `zoning serve` makes of its listening address (one place).
    from zoning.settings import is_loopback

    return is_loopback(request.client.host if request.client else "")


def _refuse_remote(request: Request) -> HTMLResponse | None:
    if _local(request):
        return None
    return render(
        request,
        "error.html",
        {
            "status": 403,
            "message": "changer les arrêtés du magasin n'est possible que depuis la machine "
            "du serveur (adresse de bouclage) : le service n'a pas d'authentification",
        },
        403,
    )


def _form_context(store: ZoningStore, **extra: Any) -> dict[str, Any]:
    return {
        "max_mb": MAX_BYTES // 2**20,
        "suffixes": ", ".join(ANNEX_SUFFIXES),
        "regions": services.regions(store),
        "decrees": [d for d in services.decrees(store) if d.classes_loaded],
        **extra,
    }


@router.get("/donnees/arrete", response_class=HTMLResponse)
def annex_page(request: Request, store: StoreDep) -> HTMLResponse:
    """Formulaire : l'annexe d'un arrêté (PDF du recueil, export CartoSanté, tableau)."""
    return render(request, "decree_upload.html", _form_context(store))


def _date(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError(f"{what} : date AAAA-MM-JJ attendue, « {value} » lu") from exc


def _params(form: Any) -> dict[str, str]:
    keys = ("region", "id", "adopted", "in_force", "replaces")
    params = {k: str(form.get(k) or "").strip() for k in keys}
    if not params["region"] or not params["id"]:
        raise InvalidInputError("indiquez la région et l'identifiant de l'arrêté")
    if not params["in_force"]:
        raise InvalidInputError("indiquez la date d'entrée en vigueur de l'arrêté")
    return params


def _run(
    store: ZoningStore,
    upload: Upload,
    params: dict[str, str],
    dry_run: bool,
    accept_errors: bool = False,
) -> Any:
    from zoning.locate import lookup
    from zoning.store.decree_import import import_decree

    return import_decree(
        store,
        upload.source,
        decree_id=params["id"],
        region=params["region"],
        communes=lookup,
        adopted=_date(params["adopted"], "date de signature"),
        in_force=_date(params["in_force"], "date d'entrée en vigueur"),
        replaces=params["replaces"] or None,
        dry_run=dry_run,
        file_name=upload.display_name,
        accept_errors=accept_errors,
    )


def _message(exc: Exception, upload: Upload) -> str:
    """A French message naming the person's file, not the upload folder's."""
    return str(exc).replace(upload.source.name, upload.display_name)


@router.post("/donnees/arrete")
async def annex_upload(request: Request, store: StoreDep, uploads: UploadsDep) -> Response:
    """Réception de l'annexe, puis aperçu (rien n'est écrit dans le magasin)."""
    form = await request.form()
    file = form.get("fichier")
    try:
        params = _params(form)
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInputError("choisissez le fichier de l'annexe")
        data = await file.read(MAX_BYTES + 1)
        upload = uploads.add(file.filename, data, ANNEX_SUFFIXES)
    except ZoningError as exc:
        return render(request, "decree_upload.html", _form_context(store, error=str(exc)), 400)
    write_text(upload.folder / _PARAMS, json.dumps(params, ensure_ascii=False))
    try:
        report = _run(store, upload, params, dry_run=True)
    except ZoningError as exc:
        uploads.delete(upload.token)
        context = _form_context(store, error=_message(exc, upload))
        return render(request, "decree_upload.html", context, 400)
    return render(request, "decree_preview.html", _preview(upload, report))


def _preview(upload: Upload, report: Any) -> dict[str, Any]:
    comparison = report.comparison
    return {
        "token": upload.token,
        "report": report,
        "unresolved": report.unresolved(),
        "errors": report.count("erreur"),
        "classes": report.summary.get("classes", {}),
        "caps": report.summary.get("caps", {}),
        "within": report.summary.get("within_caps", {}),
        "changes": comparison.change_rows()[:_SHOWN_CHANGES] if comparison is not None else None,
        "changes_total": len(comparison.changes) if comparison is not None else 0,
        "comparison_lines": comparison.summary_lines() if comparison is not None else [],
        "findings": [i for i in report.lines if i["level"] != "info"],
        "shown": _SHOWN_CHANGES,
    }


@router.post("/donnees/arrete/{token}/adopter")
def annex_adopt(
    request: Request,
    store: StoreDep,
    uploads: UploadsDep,
    token: str,
    accepter_erreurs: str = Form(""),
) -> Response:
    """Adoption : l'import écrit le magasin (verrou, trace du fichier), puis la page Données."""
    refused = _refuse_remote(request)
    if refused is not None:
        return refused
    upload = uploads.get(token)
    params = json.loads((upload.folder / _PARAMS).read_text(encoding="utf-8"))
    try:
        report = _run(store, upload, params, dry_run=False, accept_errors=bool(accepter_erreurs))
    except ZoningError as exc:
        uploads.delete(token)
        context = _form_context(store, error=_message(exc, upload))
        return render(request, "decree_upload.html", context, 400)
    if report.refused:
        # Unreadable rows, not accepted: nothing written, the preview again, saying why.
        context = _preview(upload, report)
        context["error"] = (
            f"{report.count('erreur')} erreur(s) : l'arrêté n'est pas adopté. Corrigez "
            "l'annexe, ou cochez « Adopter malgré les erreurs »."
        )
        return render(request, "decree_preview.html", context, 400)
    uploads.delete(token)
    log.info("decree %s adopted from an upload", report.decree.id)
    return RedirectResponse(f"/donnees?adopte={report.decree.id}", status_code=303)


@router.post("/donnees/arrete/{decree_id}/retirer")
def decree_remove(request: Request, store: StoreDep, decree_id: str) -> Response:
    """Retrait d'un arrêté importé (annule l'adoption)."""
    refused = _refuse_remote(request)
    if refused is not None:
        return refused
    from zoning.store.decree_store import remove_decree

    try:
        remove_decree(store.path, decree_id)
    except ZoningError as exc:
        return render(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    return RedirectResponse(f"/donnees?retire={decree_id}", status_code=303)
