"""Page « Simuler »: a draft zoning (« projet »), its gauges against the caps, its annex.

The same draft as ``zoning draft`` (:mod:`zoning.store.draft`, through
:mod:`zoning.web.services`). The page is a plain form (works without JavaScript): the
changes made so far travel in a hidden field (JSON, checked by
:class:`zoning.web.models.DraftOperations`) and are replayed from the starting decree on
every request; nothing is kept on the server and nothing is written to the store. A
territory table (commune → territoire de vie-santé) is read from the upload and deleted
at once. The annex is downloaded as XLSX or CSV, titled « PROJET ».
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from zoning.errors import InvalidInputError, ZoningError
from zoning.store.draft import percent
from zoning.store.store import ZoningStore
from zoning.web import services
from zoning.web.deps import StoreDep, UploadsDep
from zoning.web.models import DraftOperations
from zoning.web.templating import render
from zoning.web.uploads import MAX_BYTES, Uploads

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: Classes the form offers, and the caps it lets the planner type.
CLASSES = ("ZIP", "ZAC", "ZV", "ZAR", "HZ")
CAPPED = ("ZIP", "ZAC")
_SHOWN_CHANGES = 300


def _default_base(store: ZoningStore) -> str:
    """The latest loaded decree described in data/decrees (not a national stand-in)."""
    loaded = [d for d in services.decrees(store) if d.classes_loaded and d.caps]
    return loaded[-1].id if loaded else ""


class _State:
    """The form's fields: starting decree, region, caps typed, margin, changes so far."""

    def __init__(self, form: Any, store: ZoningStore) -> None:
        def field(name: str) -> str:
            return str(form.get(name) or "").strip()

        self.base_id = field("depuis") if "depuis" in form else _default_base(store)
        self.region = field("region") or "75"
        self.margin_text = field("marge")
        self.cap_texts = {z: field(f"plafond_{z}") for z in CAPPED}
        self.ops_text = field("operations") or '{"operations": []}'
        self.zone = field("classe") or "ZIP"
        self.kind = field("cible") or "departement"
        self.value = field("valeur")

    def caps(self) -> dict[str, float]:
        caps = {}
        for zone, text in self.cap_texts.items():
            value = percent(text, f"plafond {zone}")
            if value is not None:
                caps[zone] = value
        return caps

    def operations(self) -> list[dict[str, Any]]:
        try:
            parsed = DraftOperations.model_validate_json(self.ops_text)
        except ValidationError as exc:
            raise InvalidInputError("changements du projet illisibles : recommencez") from exc
        return [op.model_dump() for op in parsed.operations]

    def draft(self, store: ZoningStore, operations: list[dict[str, Any]] | None = None) -> Any:
        ops = self.operations() if operations is None else operations
        margin = percent(self.margin_text, "marge")
        return services.draft(store, self.base_id, self.region, self.caps(), margin, ops)


def _context(
    store: ZoningStore, state: _State, current: Any | None, error: str = ""
) -> dict[str, Any]:
    view = services.draft_view(current) if current is not None else {}
    ops = [op.to_dict() for op in current.operations] if current is not None else []
    return {
        "decrees": [d for d in services.decrees(store) if d.classes_loaded],
        "regions": services.regions(store),
        "state": state,
        "classes": CLASSES,
        "capped": CAPPED,
        "current": current,
        "operations_json": json.dumps({"operations": ops}, ensure_ascii=False),
        "error": error,
        "shown": _SHOWN_CHANGES,
        "max_mb": MAX_BYTES // 2**20,
        **view,
    }


def _page(
    request: Request, store: ZoningStore, state: _State, current: Any, error: str = ""
) -> HTMLResponse:
    status = 400 if error else 200
    return render(request, "draft.html", _context(store, state, current, error), status)


@router.get("/simuler", response_class=HTMLResponse)
def draft_page(request: Request, store: StoreDep) -> HTMLResponse:
    """Formulaire : arrêté de départ, changements, jauges."""
    state = _State(request.query_params, store)
    try:
        current = state.draft(store, [])
    except ZoningError as exc:
        return _page(request, store, state, None, str(exc))
    return _page(request, store, state, current)


async def _territories(form: Any, uploads: Uploads) -> Path | None:
    """The uploaded territory table, copied out of the upload folder (deleted at once)."""
    file = form.get("territoires")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    upload = uploads.add(file.filename, await file.read(MAX_BYTES + 1))
    folder = Path(tempfile.mkdtemp(prefix="zoning-tvs-"))
    target = folder / upload.source.name
    shutil.copyfile(upload.source, target)
    uploads.delete(upload.token)
    return target


@router.post("/simuler", response_class=HTMLResponse)
async def draft_change(request: Request, store: StoreDep, uploads: UploadsDep) -> HTMLResponse:
    """Applique un changement (ou annule le dernier) et recalcule les jauges."""
    form = await request.form()
    state = _State(form, store)
    action = str(form.get("action") or "recalculer")
    current = None
    tvs: Path | None = None
    try:
        ops = state.operations()
        if action == "annuler":
            ops = ops[:-1]
        elif action == "effacer":
            ops = []
        current = state.draft(store, ops)
        if action == "ajouter":
            tvs = await _territories(form, uploads) if state.kind == "territoire" else None
            for op in services.draft_operations(current, state.zone, state.kind, state.value, tvs):
                current = _apply(current, op)
            state.value = ""
    except ZoningError as exc:
        return _page(request, store, state, current, str(exc))
    finally:
        if tvs is not None:
            shutil.rmtree(tvs.parent, ignore_errors=True)
    return _page(request, store, state, current)


def _apply(current: Any, op: Any) -> Any:
    from zoning.store.draft import apply

    return apply(current, op)


@router.post("/simuler/annexe{suffix}")
async def draft_download(request: Request, store: StoreDep, suffix: str) -> Response:
    """L'annexe du projet (XLSX ou CSV) ou ses couches QGIS (GeoPackage), titrées « PROJET »."""
    formats = services.draft_formats()
    if suffix not in formats:
        raise InvalidInputError(f"format « {suffix[:10]} » : {', '.join(formats)}")
    form = await request.form()
    state = _State(form, store)
    try:
        current = state.draft(store)
    except ZoningError as exc:
        return _page(request, store, state, None, str(exc))
    folder = Path(tempfile.mkdtemp(prefix="zoning-projet-"))
    # A GeoPackage of a region takes a second or two: off the event loop.
    path = await run_in_threadpool(
        services.draft_file, store, current, folder / f"projet-zonage{suffix}"
    )
    log.info("draft %s written (%d operations)", suffix, len(current.operations))
    return FileResponse(
        path,
        media_type=formats[suffix],
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, folder, True),
    )
