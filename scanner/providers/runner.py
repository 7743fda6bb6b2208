"""Run checks on a few worker threads and stop waiting at a deadline."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def run_bounded(items: Sequence[K], work: Callable[[K], R], concurrency: int, deadline: float,
                stop: threading.Event, late: Callable[[K], R]) -> dict[K, R]:
    """``work(item)`` for every item on at most ``concurrency`` daemon threads. At ``deadline``
    (a ``time.monotonic()`` value) ``stop`` is set and every unfinished item gets ``late(item)``;
    a worker still blocked in a request is abandoned, never waited for."""
    pending = list(reversed(items))
    results: dict[K, R] = {}
    lock = threading.Lock()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                if not pending:
                    return
                item = pending.pop()
            result = work(item)
            with lock:
                if not stop.is_set():
                    results[item] = result

    threads = [threading.Thread(target=worker, daemon=True, name=f"yardguard-verify-{i}")
               for i in range(max(1, min(concurrency, len(items))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(deadline - time.monotonic(), 0.0))
    with lock:
        stop.set()
        done = dict(results)
    return {item: done[item] if item in done else late(item) for item in items}
