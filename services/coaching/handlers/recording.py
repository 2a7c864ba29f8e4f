"""What every coaching use case shares: today's date, record ids, idempotent repeats.

`Recorded` and `fingerprint` come from the kernel (`shared.idempotency`).

A client may choose a record's id so a retry is safe. The handler hashes the command
(its *fingerprint*) and keeps it with the record; a repeat with the same id and the
same fingerprint returns the stored record, a different fingerprint is a 409. Two
identical requests racing each other end the same way: the loser's append or insert
fails on the winner's stream version or key, and `retried_after_a_race` runs it once
more, when it finds the winner's record.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import ParamSpec, TypeVar

import asyncpg

from shared.eventstore import ConcurrencyConflict
from shared.idempotency import ensure_same_content
from shared.idempotency_keys import minted_id
from shared.practice_time import CLOCK_SKEW, now_utc

T = TypeVar("T")
P = ParamSpec("P")


def practice_today() -> date:
    """The latest practice date accepted now (the kernel's clock-skew tolerance included)."""
    return (now_utc() + CLOCK_SKEW).date()


def record_id(requested: uuid.UUID | None) -> uuid.UUID:
    """The caller's id, else one derived from its Idempotency-Key, else a new one."""
    return minted_id(requested)


def ensure_same_repeat(what: str, record_id: uuid.UUID, stored: str, requested: str) -> None:
    """A second create with an existing id must carry the same content."""
    ensure_same_content(f"{what} {record_id}", stored, requested)


def retried_after_a_race(write: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a write once more when a concurrent writer took its stream version or key.

    The second run reads the winner's state, so it answers as if it had come second:
    the stored record for a repeat, the domain's own refusal for a clash. A third
    writer in between is still a 409 (concurrent modification) for the client to retry.
    """

    @functools.wraps(write)
    async def once_more(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await write(*args, **kwargs)
        except (ConcurrencyConflict, asyncpg.UniqueViolationError):
            return await write(*args, **kwargs)

    return once_more
