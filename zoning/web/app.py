"""The FastAPI application: pages for instructors and planners, and a JSON API.

Pages are rendered on the server (Jinja2, autoescaped) with the DSFR, the State's design
system, served from its npm package; the check works without JavaScript. Every answer
comes from the library through :mod:`zoning.web.services`; the routes (``routes/``) take
the store, the uploads and the slots for heavy work from :mod:`zoning.web.deps`, and the
JSON API answers the models of :mod:`zoning.web.models`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from zoning import __version__
from zoning.errors import ZoningError
from zoning.settings import get_settings
from zoning.web import errors
from zoning.web.assets import NPM_FOLDERS, STATIC_DIR, npm_folder
from zoning.web.deps import StoreDep
from zoning.web.limits import BodyLimit, HeavyWork
from zoning.web.models import ErrorAnswer, Health
from zoning.web.routes import aide, api, batch, check, coverage, data, decrees, draft
from zoning.web.security import SecurityHeaders
from zoning.web.uploads import MAX_BYTES, Uploads

log = logging.getLogger(__name__)


def create_app(store_path: Path | None = None, upload_root: Path | None = None) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    store_path : Path, optional
        Zoning store folder (default: ``ZONING_STORE``).
    upload_root : Path, optional
        Where the private folder of uploads is created (default: the system's temp).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.uploads = Uploads(upload_root)
        try:
            yield
        finally:
            app.state.uploads.close()

    app = FastAPI(
        **_no_telemetry(),
        title="zoning : zones sous-denses",
        version=__version__,
        description="Zone d'un lieu (ZIP, ZAC, QPV), vérification de listes, couverture.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    # Read by zoning.web.deps, which the routes take their store, uploads and slots from.
    app.state.store_path = store_path
    app.state.store = None
    app.state.store_stamp = (0, 0)
    app.state.heavy = HeavyWork(get_settings().web_heavy)
    app.add_middleware(BodyLimit, limit=MAX_BYTES)
    app.add_middleware(SecurityHeaders)  # the outer one: the 413 gets the headers too
    for prefix in NPM_FOLDERS:
        app.mount(f"/npm/{prefix}", StaticFiles(directory=npm_folder(prefix)), name=f"npm-{prefix}")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (check, batch, coverage, data, decrees, draft, aide, api):
        app.include_router(module.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="zoning — API",
            swagger_js_url="/npm/swagger/swagger-ui-bundle.js",
            swagger_css_url="/npm/swagger/swagger-ui.css",
            swagger_favicon_url="/npm/dsfr/favicon/favicon.ico",
        )

    @app.get("/health", tags=["service"], response_model=Health)
    async def health(store: StoreDep) -> Health:
        """État du service : version et magasin de zonage ouvert."""
        return Health(status="ok", version=__version__, store_built_at=store.meta["built_at"])

    @app.exception_handler(ZoningError)
    async def zoning_error(request: Request, exc: ZoningError) -> Response:
        return errors.error_answer(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = errors.http_answer(request, exc.status_code, exc.detail)
        response.headers.update(exc.headers or {})  # Allow: of a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return errors.validation_answer(request, exc.errors())

    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _french_validation(default_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        return errors.internal_answer(request, exc)

    return app


def _french_validation(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema with FastAPI's 422 (``{"detail": [...]}``, English) said as the
    app answers it (:func:`zoning.web.errors.validation_answer`): ``{"erreur", "code"}``."""
    french = "#/components/schemas/ErrorAnswer"
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422")
            if answer is None:
                continue
            content = answer.setdefault("content", {}).setdefault("application/json", {})
            if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                answer["description"] = "paramètre manquant ou invalide"
                content["schema"] = {"$ref": french}
            elif "paramètre" not in answer.get("description", ""):
                answer["description"] += " ; ou paramètre manquant ou invalide"
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    if "ErrorAnswer" not in components:
        components["ErrorAnswer"] = ErrorAnswer.model_json_schema()
    return schema


def _no_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry switched off, where FastAPI has it: nothing about
    requests leaves the server, whatever the environment configures (and it costs a
    middleware per request)."""
    import inspect

    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    off = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
    return {"telemetry": {**off, "auto_configure": False}}
