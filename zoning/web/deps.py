"""What the routes take from the application: its zoning store, its uploads, its slots.

The routes import this module and the application imports the routes, never the other
way round (as the routers of FastAPI's full-stack template take theirs from
``api/deps.py``). A route asks for one by its annotated type, e.g. ``store: StoreDep``.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from zoning.store.store import ZoningStore
from zoning.web.limits import HeavyWork
from zoning.web.uploads import Uploads


def get_store(request: Request) -> ZoningStore:
    """The application's zoning store, opened on first use, opened again when it changed."""
    from zoning.web.services import forget_store, open_store

    state = request.app.state
    store: ZoningStore | None = state.store
    if store is not None and _meta_stamp(store.path) != state.store_stamp:
        # A decree adopted or removed (by any worker, or `zoning data import-decree`):
        # answers come from the store as it is now.
        forget_store()
        store = None
    if store is None:
        store = open_store(state.store_path)
        state.store = store
        state.store_stamp = _meta_stamp(store.path)
        # The store's tables and names live as long as the process: out of the cyclic
        # collector's full passes, which otherwise stall a request now and then.
        gc.freeze()
    return store


# The dependencies are coroutines on purpose: FastAPI runs a plain function dependency in
# its thread pool, and a keyed /api/check answers in well under a millisecond, less than
# the hop would cost. Opened once, the store costs a stat of store.json per request.


async def _store(request: Request) -> ZoningStore:
    return get_store(request)


async def _uploads(request: Request) -> Uploads:
    uploads: Uploads = request.app.state.uploads
    return uploads


async def _heavy(request: Request) -> HeavyWork:
    heavy: HeavyWork = request.app.state.heavy
    return heavy


def _meta_stamp(store_path: Path) -> tuple[int, int]:
    """Modification time and size of ``store.json``: changes when a decree is adopted."""
    try:
        stat = (Path(store_path) / "store.json").stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


#: The zoning store, as it is now on disk.
StoreDep = Annotated[ZoningStore, Depends(_store)]
#: The private folder of uploaded files (lists and decree annexes).
UploadsDep = Annotated[Uploads, Depends(_uploads)]
#: The slots for heavy work (a batch run, a region's map): full, a 429.
HeavyDep = Annotated[HeavyWork, Depends(_heavy)]
