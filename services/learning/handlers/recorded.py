"""What every write use case shares: the result shape, the event envelope, the savepoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from shared.database import Connection
from shared.events import DomainEvent, PendingEvent
from shared.idempotency import Recorded
from shared.problems import Conflict

__all__ = ["LockNeeded", "RecordIdTaken", "Recorded", "pending_event", "single_write", "writing"]

R = TypeVar("R")


def pending_event(
    event: DomainEvent,
    *,
    agency_id: str,
    subject: str,
    actor: str,
    occurred_at: datetime,
    **metadata: Any,
) -> PendingEvent:
    """The envelope facts of an event about `subject`; None metadata values are left out."""
    return PendingEvent(
        event=event,
        agency_id=agency_id,
        subject=subject,
        occurred_at=occurred_at,
        actor=actor,
        metadata={key: value for key, value in metadata.items() if value is not None},
    )


class LockNeeded(Exception):
    """A write decided without the learner's lock has more to store than one append
    that commits by itself; nothing was stored, and the caller writes under the lock."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(f"{stream_id}: this write is made under the learner's lock")


class RecordIdTaken(Conflict):
    """A record with the write's id is stored already (a 409 unless the caller looks)."""


# the connection whose transaction holds a single write (`single_write`), if any
_SINGLE: ContextVar[object | None] = ContextVar("learning_single_write", default=None)


@asynccontextmanager
async def single_write(conn: Connection) -> AsyncIterator[Connection]:
    """Mark `conn`'s transaction as holding one write only (a REST create's): a failure
    fails the whole transaction anyway, so `writing` needs no savepoint in it (two round
    trips fewer)."""
    token = _SINGLE.set(conn)
    try:
        yield conn
    finally:
        _SINGLE.reset(token)


@asynccontextmanager
async def writing(conn: Connection) -> AsyncIterator[None]:
    """A savepoint inside the caller's transaction: a failed write leaves it usable.

    Handlers run inside a transaction the caller owns (the REST route's, or an xAPI
    batch's), so the locks they take last until the caller commits. In a transaction
    marked `single_write` nothing runs after a failure, so no savepoint is taken.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("learning handlers run inside the caller's transaction")
    try:
        if _SINGLE.get() is conn:
            yield
        else:
            async with conn.transaction():
                yield
    except asyncpg.UniqueViolationError as error:
        # the same client id sent at once for two practitioners (one practitioner's
        # requests are serialised by the learner lock, so a retry finds the record),
        # or sent again by a caller that did not look for it first
        raise RecordIdTaken(
            "a record with this id was stored at the same moment; retry to see which"
        ) from error
