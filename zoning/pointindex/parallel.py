"""Independent batches of numpy work on every core.

numpy releases the GIL in its arithmetic, sorts and searches, so the batches of an
index build or of a large query run side by side in threads (no copy of the arrays, as
processes would need). At most one batch per core is being computed at a time, which
bounds the temporaries; the results are kept, in input order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_on_cores(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(item) for item in items]``, the items spread over one thread per core."""
    items = list(items)
    if len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(min(len(items), os.cpu_count() or 1)) as pool:
        return list(pool.map(fn, items))
