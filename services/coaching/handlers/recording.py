"""What every coaching use case shares: today's date, record ids, idempotent repeats.

A client may choose a record's id so a retry is safe. The handler hashes the command
(its *fingerprint*) and keeps it with the record; a repeat with the same id and the
same fingerprint returns the stored record, a different fingerprint is a 409. Two
identical requests racing each other end the same way: the loser's append or insert
fails on the winner's stream version or key, and `retried_after_a_race` runs it once
more, when it finds the winner's record.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, ParamSpec, TypeVar

import asyncpg
from pydantic import BaseModel

from shared.eventstore import ConcurrencyConflict
from shared.practice_time import CLOCK_SKEW, now_utc
from shared.problems import Conflict

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class Recorded(Generic[T]):
    """A write's answer: the record, and whether this call created it (201) or not (200)."""

    record: T
    created: bool


def practice_today() -> date:
    """The latest practice date accepted now (the kernel's clock-skew tolerance included)."""
    return (now_utc() + CLOCK_SKEW).date()


def record_id(requested: uuid.UUID | None) -> uuid.UUID:
    return requested or uuid.uuid4()


def fingerprint(*parts: Any) -> str:
    """A stable hash of what a create asked for (command dataclasses, request models,
    resolved values): same content, same fingerprint."""
    content = [_plain(part) for part in parts]
    encoded = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(part: Any) -> Any:
    if isinstance(part, BaseModel):
        return part.model_dump(mode="json")
    if dataclasses.is_dataclass(part) and not isinstance(part, type):
        return dataclasses.asdict(part)
    return part


def ensure_same_repeat(what: str, record_id: uuid.UUID, stored: str, requested: str) -> None:
    """A second create with an existing id must carry the same content."""
    if stored != requested:
        raise Conflict(
            f"{what} {record_id} already exists with different content; send the same "
            "content to repeat the request, or use a new id for a new record"
        )


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
