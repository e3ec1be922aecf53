"""The cyclic garbage collector held off during bulk work.

A batch of ten thousand rows allocates some millions of small containers (cells,
posts, placements, results) that live until the end of the run. CPython's collector
scans them again and again as they pile up: measured, 0.6 s of the 1.5 s that the rules
of such a batch took. The objects of a run hold no reference cycles worth collecting
before the run ends, so the collector is paused while it runs and restored after.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested and threaded uses allowed:
    it comes back, as it was, when the last block still running ends)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
