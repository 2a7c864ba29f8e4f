"""Idempotent creates: a client may choose a record's id and safely retry.

A repeat with the same id and the same content returns the stored record (200); the same
id with different content is a 409 (`answered` sets the route's status). Content is
compared by a *fingerprint* of what the create asked for (canonical JSON of the command),
kept with the record, so key order in the body does not matter. Two identical requests
racing each other end the same way: the loser's append (`expected_version=0`) fails on
the winner's stream, and it answers as a repeat.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel

from shared.eventstore import ConcurrencyConflict
from shared.problems import Conflict

R = TypeVar("R")


@dataclass(frozen=True)
class Recorded(Generic[R]):
    """A write's answer: the record, and whether this call created it (201) or not (200)."""

    record: R
    created: bool


def answered(recorded: Recorded[R], response: Response) -> R:
    """The route's reply to a create: 201 for a new record, 200 for a faithful repeat."""
    response.status_code = 201 if recorded.created else 200
    return recorded.record


def repeat_response(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 a repeated create answers with."""
    return {
        200: {"model": model, "description": "a repeat of an earlier create: the stored record"}
    }


def fingerprint(*parts: Any) -> str:
    """A stable hash of what a create asked for (models, dataclasses, plain values)."""
    content = [_plain(part) for part in parts]
    encoded = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(part: Any) -> Any:
    if isinstance(part, BaseModel):
        return part.model_dump(mode="json")
    if dataclasses.is_dataclass(part) and not isinstance(part, type):
        return _fields(part)
    return part


def _fields(value: Any) -> Any:
    """What `dataclasses.asdict` makes of a value, for `json.dumps` (so the same
    fingerprints), without its deep copy of every leaf: it costs a create more than its
    SQL."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _fields(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_fields(item) for item in value]
    if isinstance(value, dict):
        return {key: _fields(item) for key, item in value.items()}
    return value


def ensure_same_content(what: str, stored: str, requested: str) -> None:
    """A second create with an existing id must carry the same content."""
    if stored != requested:
        raise Conflict(
            f"{what} already exists with different content; send exactly the same content "
            "to repeat the request, or use a new id for a new record"
        )


async def create_once(
    *,
    what: str,
    find: Callable[[], Awaitable[tuple[R, str] | None]],
    create: Callable[[], Awaitable[R]],
    content_hash: str,
    find_first: bool = True,
) -> tuple[R, bool]:
    """`(record, created)`: the stored record on a faithful repeat, else a new one.

    `find` returns the stored record with its fingerprint; `create` appends with
    `expected_version=0`, so a concurrent twin surfaces as `ConcurrencyConflict` and is
    then answered like any repeat.

    `find_first=False` skips the look-up before creating (a round trip every new record
    pays) for a `create` whose first write is that `expected_version=0` append to the
    stream named by the record's id, in the transaction that stores the record: it then
    cannot create a twin. Whatever `create` raises, a stored record still answers as a
    repeat, so the answers are those of looking first.
    """
    existing = await find() if find_first else None
    if existing is None:
        try:
            return await create(), True
        except Exception as error:
            if find_first and not isinstance(error, ConcurrencyConflict):
                raise
            try:
                existing = await find()
            except Exception:
                raise error from None
            if existing is None:
                raise
    record, stored_hash = existing
    ensure_same_content(what, stored_hash, content_hash)
    return record, False
