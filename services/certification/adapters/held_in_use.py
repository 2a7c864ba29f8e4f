"""A bounded per-process hold that keeps what is in use rather than what came last.

The evaluation caches (`evidence_cache`, `replay_snapshots`) hold one entry per
practitioner. A consumer batch re-evaluates every practitioner it touched, in the same
order batch after batch; an import of an agency's history touches the same
practitioners in every batch. Dropping the least recently used entry to make room is
the worst choice for that pattern: once the practitioners' entries outgrow the bound,
each batch drops exactly the entries the next batch needs first, and nothing is ever
served (64 practitioners of 312 items each against a bound of 10,000 items).

So an entry makes room only by dropping entries idle for `IDLE_SECONDS` (least
recently used first); when the others are all in use it is not held (the caller reads
it in full, as it would after a drop). Batch after batch the same entries stay held and
are served, and the rest are read, a share that falls smoothly as the histories grow.
Entries of a workload that moved on go idle and make room again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

IDLE_SECONDS = 30.0  # unused this long, an entry makes room for another


class HeldInUse(Generic[V]):
    """Values by key, each with a weight, their sum at most ``budget``."""

    def __init__(
        self,
        budget: int,
        *,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._budget = budget
        self._idle_seconds = idle_seconds
        self._clock = clock
        # key -> (value, weight, last kept at), least recently kept first
        self._held: OrderedDict[Hashable, tuple[V, int, float]] = OrderedDict()
        self._weight = 0

    def get(self, key: Hashable) -> V | None:
        held = self._held.get(key)
        return None if held is None else held[0]

    def weight_of(self, key: Hashable) -> int:
        held = self._held.get(key)
        return 0 if held is None else held[1]

    def put(self, key: Hashable, value: V | None, weight: int) -> bool:
        """Hold ``value`` for ``key`` (None: forget it) as used now; whether it is held.
        It replaces what ``key`` held; room is made by dropping idle entries only."""
        self.pop(key)
        if value is None or weight > self._budget:
            return False
        now = self._clock()
        while self._weight + weight > self._budget:
            oldest, (_, oldest_weight, used_at) = next(iter(self._held.items()))
            if now - used_at < self._idle_seconds:
                return False  # every other entry is in use: this one is read again
            del self._held[oldest]
            self._weight -= oldest_weight
        self._held[key] = (value, weight, now)
        self._weight += weight
        return True

    def pop(self, key: Hashable) -> None:
        held = self._held.pop(key, None)
        if held is not None:
            self._weight -= held[1]

    def values(self) -> list[V]:
        return [value for value, _, _ in self._held.values()]

    def clear(self) -> None:
        self._held.clear()
        self._weight = 0

    @property
    def weight(self) -> int:
        """The weight held in all."""
        return self._weight

    def __len__(self) -> int:
        """Entries held."""
        return len(self._held)
