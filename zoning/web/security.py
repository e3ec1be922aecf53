"""Security headers on every answer: CSP, no sniffing, no framing from elsewhere.

Pages load scripts and styles only from this server. The self-contained map pages
(folium: inline scripts and styles, Leaflet inlined) and the API docs get a policy of their
own that allows inline code but still no other host.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Policy of the site's own pages.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
#: Policy of pages with inline code (maps drawn by folium, API docs): still no other host.
CSP_INLINE = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def _inline(path: str) -> bool:
    """Whether a path is served with :data:`CSP_INLINE` (API docs, map pages)."""
    return path == "/api/docs" or path.endswith("/carte.html")


def add_headers(headers: MutableHeaders, path: str) -> None:
    """The security headers of an answer to ``path``."""
    headers["Content-Security-Policy"] = CSP_INLINE if _inline(path) else CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "SAMEORIGIN"


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy and friends to every response.

    A plain ASGI wrapper rather than ``BaseHTTPMiddleware``, which costs a task and a
    stream per request on the API's hot path.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)
