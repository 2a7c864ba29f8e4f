"""The cyclic garbage collector set for a server: short pauses, rarely.

A started service holds a few hundred thousand long-lived objects (modules, the
FastAPI app and its models, pydantic validators, the pool). With CPython's defaults a
full collection walks all of them again and again: under read load at 50 clients a full
collection took up to 200 ms on this project's two-core machine, and every request in
flight waited for it (the 99th-percentile latency was mostly these pauses).

`settle_after_start` moves everything alive once the service has started into the
permanent generation (`gc.freeze()`), so a full collection walks only what was made
since; and it lets the youngest generation grow larger before a collection, so the
short-lived objects of a request are mostly freed by reference counting before the
collector ever looks at them. A frozen object that loses its last reference is still
freed by reference counting; only a cycle among objects alive at start that later
becomes garbage would stay (what a service holds at start it holds until it stops;
tests, which start many apps in one process, leave this off: `gc_settle_after_start`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

# objects allocated (net) before the youngest generation is collected (CPython: 700)
YOUNG_THRESHOLD = 20_000
# collections of one generation before the next is collected too (CPython: 10, 10)
OLDER_THRESHOLDS = (20, 20)


def settle_after_start() -> None:
    """Collect once, freeze what survives, and widen the thresholds (idempotent)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def watch_pauses(observe: Callable[[int, float], None]) -> Callable[[], None]:
    """Call `observe(generation, seconds)` after every collection; returns the stop.

    The pauses are what a request in flight waits for: `/metrics` shows them
    (`miiwrap_gc_pause_seconds`) beside the request durations."""
    started = [0.0]

    def on_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            observe(int(info["generation"]), time.perf_counter() - started[0])

    gc.callbacks.append(on_collection)

    def stop() -> None:
        if on_collection in gc.callbacks:
            gc.callbacks.remove(on_collection)

    return stop
