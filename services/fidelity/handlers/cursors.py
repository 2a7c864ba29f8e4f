"""Reading the keyset positions this service puts in its page cursors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

import asyncpg

from shared.pagination import Page, PageRequest, encode_cursor
from shared.problems import Unprocessable

T = TypeVar("T")

_FOREIGN = "cursor is not one this list issued; pass back `next_cursor` unchanged"


def date_and_seq(page: PageRequest) -> tuple[date, int] | None:
    """`[iso date, seq]` → `(date, seq)`."""
    if page.after is None:
        return None
    try:
        day, seq = page.after
        return date.fromisoformat(day), _bigint(seq)
    except (TypeError, ValueError) as error:
        raise Unprocessable(_FOREIGN) from error


def key_and_version(page: PageRequest) -> tuple[str, int] | None:
    if page.after is None:
        return None
    try:
        key, version = page.after
        if not isinstance(key, str) or "\x00" in key:
            raise ValueError("not an instrument key")
        return key, _bigint(version)
    except (TypeError, ValueError) as error:
        raise Unprocessable(_FOREIGN) from error


def seq_only(page: PageRequest) -> int | None:
    if page.after is None:
        return None
    try:
        [seq] = page.after
        return _bigint(seq)
    except (TypeError, ValueError) as error:
        raise Unprocessable(_FOREIGN) from error


def _bigint(value: Any) -> int:
    number = int(value)
    if not 0 <= number < 2**63:
        raise ValueError("out of range")
    return number


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
