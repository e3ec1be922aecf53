"""Chunks on a thread pool, results in input order, at most so many in memory.

numpy, GEOS and the Parquet codec release the GIL: threads spread a run over the cores.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Niceness added to the threads of :func:`ordered_map` (Linux): see there.
WORKER_NICE = 10


def default_workers() -> int:
    """Threads for the chunk pool: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _below_consumer() -> None:
    """Lower the calling thread's priority by :data:`WORKER_NICE` (Linux: a thread
    id given to ``setpriority`` names that thread alone); elsewhere, or if refused, keep
    it as it is."""
    if sys.platform != "linux":
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE)
    except OSError:
        pass


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], workers: int, in_flight: int
) -> Generator[R, None, None]:
    """``map(fn, items)`` on a thread pool, results in input order, at most
    ``in_flight`` items submitted and not yet consumed (the memory bound).

    The pool's threads run at a lower priority than the others: what consumes the
    results (writing them, in order, on one thread) is the part that cannot be spread
    over the cores; when it waits for a core, everything waits for it at the end (a
    fifth of a 2 M point ``zoning assign``).
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(
        workers, thread_name_prefix="zoning-chunk", initializer=_below_consumer
    ) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
