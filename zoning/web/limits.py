"""Bounds on what one web worker takes on: heavy work at once, and the size of a body.

Checking a list, reading an upload and drawing a map each take a core and tens of
megabytes: a worker runs at most ``ZONING_WEB_HEAVY`` of them at once and answers the
next one 429 with ``Retry-After`` (a French page, or JSON under ``/api/``) rather than
swelling until the machine swaps. A request body over the upload limit is answered 413
before it is read, whether it announces its length or not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zoning.errors import BusyError, TooLargeError

#: Seconds a client is told to wait when every slot is taken.
RETRY_AFTER = 10
#: Room for the multipart framing and the form's small fields around the file.
FORM_OVERHEAD = 64 * 1024


class HeavyWork:
    """So many slots for heavy work in this worker; a request finding none gets 429."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        # A threading semaphore: a list's run ends in its own thread, which frees the slot.
        self._free = threading.BoundedSemaphore(slots)

    def take(self) -> Callable[[], None]:
        """Take a slot now (BusyError when none is free); returns what frees it (once)."""
        if not self._free.acquire(blocking=False):
            raise BusyError(
                f"le serveur vérifie déjà {self.slots} liste(s) ou carte(s) : "
                f"réessayez dans {RETRY_AFTER} secondes",
                RETRY_AFTER,
            )
        freed = threading.Event()

        def free() -> None:
            if not freed.is_set():
                freed.set()
                self._free.release()

        return free

    @contextmanager
    def slot(self) -> Iterator[None]:
        """A slot for the time of a ``with`` block."""
        free = self.take()
        try:
            yield
        finally:
            free()


def too_large(limit: int) -> TooLargeError:
    """The refusal of a body over ``limit`` bytes of file."""
    return TooLargeError(f"fichier trop gros : {limit // 2**20} Mo au plus")


class BodyLimit:
    """ASGI middleware answering 413 for a request body over ``limit`` (+ form framing).

    A body that announces its length is refused before a byte is read; one sent in
    chunks is cut when it passes the limit, and whatever the application was answering
    is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from zoning.web.errors import error_answer

        bound = self.limit + FORM_OVERHEAD
        request = Request(scope)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > bound:
            await error_answer(request, too_large(self.limit))(scope, receive, send)
            return
        seen = 0
        cut = False
        started = False

        async def counted() -> Message:
            nonlocal seen, cut
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > bound:
                    cut = True
                    raise too_large(self.limit)
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the 413 below answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:  # the cut, as the application let it through (maybe wrapped)
            if not cut:
                raise
        if cut and not started:
            await error_answer(request, too_large(self.limit))(scope, receive, send)
