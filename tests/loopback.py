"""Real HTTP servers on loopback: a folder (a mirror of a sources folder), a stand-in web
service answering JSON."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    with serve(handler) as url:
        yield url


@contextmanager
def serve(handler: Any) -> Iterator[str]:
    """Run a request handler on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def send_json(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: object,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer the request ``handler`` serves with ``body`` as JSON."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class JsonAnswers(http.server.BaseHTTPRequestHandler):
    """A web service stand-in: each GET gets the next of ``answers`` (status, JSON body,
    extra headers), 503 once they run out; the path and User-Agent of each are kept.

    Make a class of its own per server (``JsonAnswers.fresh()``): the lists are shared by
    the handler's instances, one per request.
    """

    answers: ClassVar[list[tuple[int, object, dict[str, str]]]] = []
    paths: ClassVar[list[str]] = []
    agents: ClassVar[list[str]] = []

    @classmethod
    def fresh(cls) -> type[JsonAnswers]:
        """A subclass with empty lists of its own."""
        return type("Answers", (cls,), {"answers": [], "paths": [], "agents": []})

    def do_GET(self) -> None:
        kind = type(self)
        kind.paths.append(self.path)
        kind.agents.append(self.headers.get("User-Agent", ""))
        status, body, headers = kind.answers.pop(0) if kind.answers else (503, {}, {})
        send_json(self, status, body, headers)

    def log_message(self, *args: object) -> None:
        pass
