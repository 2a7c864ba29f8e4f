"""A module's attempts in practice order, with an index of their ids that folds share.

A practitioner's attempts on one module grow to hundreds, and every write folds one
more in: a duplicate check by scanning the ids, or a score looked up by scanning, would
make each write cost more than the one before. An :class:`AttemptHistory` is a plain
tuple of :class:`AttemptResult` (it compares, iterates and slices as one) that also
carries ``ranks``: attempt id -> (the order it was added, its result).

Histories grown one from another share one ``ranks`` dict: a history of length ``n``
holds exactly the ids ranked below ``n``. Growing the newest history adds its id in
place; growing an older one with the id the newer one added reuses the dict too (a
write's state and the next fold of the same event, from the cached state, agree);
growing an older one with another id (a branch) copies the ids it holds first. So
the usual write looks its attempt up in constant time, and adds it with one copy of
the tuple's pointers (no Python-level step per attempt).
"""

from __future__ import annotations

import bisect
from typing import TypeAlias

from services.learning.domain.practice_time import PracticeDate
from services.learning.domain.value_object import FrozenModel

# attempt id -> (rank: the order the id was added, the attempt's result)
Ranks: TypeAlias = dict[str, tuple[int, "AttemptResult"]]


class AttemptResult(FrozenModel):
    """What the progress keeps of every attempt: enough to tell a recent failure."""

    attempt_id: str
    attempted_at: PracticeDate
    passed: bool
    scaled_score: float | None = None


class AttemptHistory(tuple[AttemptResult, ...]):
    """Attempts in practice order, with the shared index of their ids (``ranks``)."""

    ranks: Ranks


def _ranks_of(attempts: tuple[AttemptResult, ...]) -> Ranks:
    if isinstance(attempts, AttemptHistory):
        return attempts.ranks
    # a history from elsewhere (a retraction's filter, a validated value): indexed once
    return {a.attempt_id: (rank, a) for rank, a in enumerate(attempts)}


def _history(attempts: tuple[AttemptResult, ...], ranks: Ranks) -> AttemptHistory:
    history = AttemptHistory(attempts)
    history.ranks = ranks
    return history


def indexed(attempts: tuple[AttemptResult, ...]) -> AttemptHistory:
    """``attempts`` as a history carrying its index (built here when it has none)."""
    if isinstance(attempts, AttemptHistory):
        return attempts
    return _history(attempts, _ranks_of(attempts))


def find_attempt(attempts: tuple[AttemptResult, ...], attempt_id: str) -> AttemptResult | None:
    """The attempt of ``attempt_id`` in ``attempts``, if it is there."""
    entry = _ranks_of(attempts).get(attempt_id)
    if entry is None or entry[0] >= len(attempts):
        return None
    return entry[1]


def with_attempt(attempts: tuple[AttemptResult, ...], result: AttemptResult) -> AttemptHistory:
    """``attempts`` with ``result`` (an id not in them) inserted in practice-date order,
    after its equals, as a stable sort would put it."""
    held = len(attempts)
    ranks = _ranks_of(attempts)
    entry = ranks.get(result.attempt_id)
    if len(ranks) == held and entry is None:
        ranks[result.attempt_id] = (held, result)  # the newest history grows in place
    elif entry is None or entry[0] != held or (entry[1] is not result and entry[1] != result):
        ranks = {k: v for k, v in ranks.items() if v[0] < held}  # a branch: its own index
        ranks[result.attempt_id] = (held, result)
    # else: a newer history added this same attempt next already; its index serves
    # the usual case: it happened last. Concatenated, not unpacked (RUF005): one copy of
    # the pointers instead of a list and two copies
    if not attempts or attempts[-1].attempted_at <= result.attempted_at:
        return _history(attempts + (result,), ranks)  # noqa: RUF005
    at = bisect.bisect_right(attempts, result.attempted_at, key=lambda a: a.attempted_at)
    return _history(attempts[:at] + (result,) + attempts[at:], ranks)  # noqa: RUF005
