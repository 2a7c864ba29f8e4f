"""Reading the keyset positions this service puts in its page cursors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

import asyncpg

from shared.pagination import Page, PageRequest, encode_cursor, keyset

T = TypeVar("T")


def date_and_seq(page: PageRequest) -> tuple[date, int] | None:
    """`[iso date, seq]` → `(date, seq)`."""
    after = keyset(page, "date", "int")
    return (after[0], after[1]) if after else None


def key_and_version(page: PageRequest) -> tuple[str, int] | None:
    after = keyset(page, "text", "int")
    return (after[0], after[1]) if after else None


def seq_only(page: PageRequest) -> int | None:
    after = keyset(page, "int")
    return int(after[0]) if after else None


def date_seq_key(meeting_date: date, seq: Any) -> list[Any]:
    return [meeting_date.isoformat(), int(seq)]


def page_of(
    rows: Sequence[asyncpg.Record],
    limit: int,
    sort_key: Callable[[asyncpg.Record], list[Any]],
    to_public: Callable[[asyncpg.Record], T],
) -> Page[T]:
    """A page from `limit + 1` fetched rows; the cursor is the last row's sort key."""
    more = len(rows) > limit
    cursor = encode_cursor(sort_key(rows[limit - 1])) if more and limit > 0 else None
    return Page[T](items=[to_public(r) for r in rows[:limit]], next_cursor=cursor)
