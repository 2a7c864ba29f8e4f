"""Idempotent creates: a client may choose a record's id and safely retry.

A repeat with the same id and the same content returns the stored record; the same id
with different content is a 409. Content is compared by a fingerprint of the resolved
command (canonical JSON), so key order or rating order in the body does not matter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from shared.eventstore import ConcurrencyConflict
from shared.problems import Conflict

R = TypeVar("R")


def fingerprint(content: Any) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def create_once(
    *,
    what: str,
    find: Callable[[], Awaitable[tuple[R, str] | None]],
    create: Callable[[], Awaitable[R]],
    content_hash: str,
) -> tuple[R, bool]:
    """`(record, created)`: the stored record on a faithful repeat, else a new one.

    `find` returns the stored record with its fingerprint; `create` appends with
    `expected_version=0`, so a concurrent twin surfaces as `ConcurrencyConflict` and is
    then answered like any repeat.
    """
    existing = await find()
    if existing is None:
        try:
            return await create(), True
        except ConcurrencyConflict:
            existing = await find()
            if existing is None:
                raise
    record, stored_hash = existing
    if stored_hash != content_hash:
        raise Conflict(
            f"{what} already exists with different content; "
            "use a new id for a new record, or resend exactly the original"
        )
    return record, False
