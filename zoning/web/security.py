"""Security headers on every answer: CSP, no sniffing, no framing from elsewhere.

Pages load scripts and styles only from this server. The self-contained map pages
(folium: inline scripts and styles, Leaflet inlined) and the API docs get a policy of their
own that allows inline code but still no other host.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

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


class SecurityHeaders(BaseHTTPMiddleware):
    """Add the Content-Security-Policy and friends to every response."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        inline = _inline(request.url.path)
        response.headers["Content-Security-Policy"] = CSP_INLINE if inline else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
