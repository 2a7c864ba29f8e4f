"""Keyset pagination for list endpoints: `?limit=&cursor=` → `{items, next_cursor}`.

The cursor is opaque to clients (base64 JSON of the last row's sort key), so a list stays
stable while new rows arrive, and deep pages cost the same as the first.

One codec reads every cursor: `decode_cursor` accepts only a short flat list of strings
and integers (anything else is a 400 `bad-cursor` problem, never a 500), and `keyset`
turns it into the typed values of one list's sort key (text, int, uuid, date, datetime),
again a 400 when a value does not fit.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import Query
from pydantic import BaseModel, Field

from shared.problems import Problem
from shared.request_guard import MalformedJson, UnstorableValue, parse_strict_json

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_CHARS = 2048
MAX_KEY_PARTS = 8
MAX_TEXT_CHARS = 512
_FOREIGN = "cursor is not one this API issued; pass back `next_cursor` unchanged"

KeyKind = Literal["text", "int", "uuid", "date", "datetime"]


class BadCursor(Problem):
    status, title, slug = 400, "Bad cursor", "bad-cursor"

    def __init__(self, why: str = "") -> None:
        super().__init__(f"{_FOREIGN}{f' ({why})' if why else ''}")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="pass as `cursor` to get the next page; absent on the last page"
    )


class PageRequest(BaseModel):
    limit: int
    after: list[Any] | None


def encode_cursor(sort_key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_key, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    """A short flat list of strings and finite numbers, or a 400 problem."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadCursor("too long")
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4))
        value = parse_strict_json(raw, max_depth=1, what="cursor")
    except (binascii.Error, ValueError, UnicodeError, MalformedJson, UnstorableValue) as error:
        raise BadCursor() from error
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_KEY_PARTS:
        raise BadCursor("not a sort key")
    for part in value:
        if isinstance(part, bool) or not isinstance(part, str | int | float):
            raise BadCursor("a sort key holds only text and numbers")
        if isinstance(part, float) and not math.isfinite(part):
            raise BadCursor("a number out of range")
        if isinstance(part, int) and not -(2**63) <= part < 2**63:
            raise BadCursor("an integer out of range")
        if isinstance(part, str) and len(part) > MAX_TEXT_CHARS:
            raise BadCursor("a text too long")
    return value


def _as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError("not a position")
    return value


def _as_datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(_as_text(value))
    if moment.tzinfo is None:
        raise ValueError("not a timezone-aware datetime")
    return moment


_KINDS: dict[str, Callable[[Any], Any]] = {
    "text": _as_text,
    "int": _as_int,
    "uuid": lambda v: uuid.UUID(_as_text(v)),
    "date": lambda v: date.fromisoformat(_as_text(v)),
    "datetime": _as_datetime,
}


def keyset(page: PageRequest, *kinds: KeyKind) -> tuple[Any, ...] | None:
    """The cursor's sort key as typed values (`keyset(page, "date", "uuid")`), or None on
    the first page; a 400 problem when the cursor does not hold that shape."""
    if page.after is None:
        return None
    if len(page.after) != len(kinds):
        raise BadCursor("not this list's sort key")
    try:
        return tuple(_KINDS[kind](raw) for raw, kind in zip(page.after, kinds, strict=True))
    except (TypeError, ValueError, OverflowError) as error:
        raise BadCursor("not this list's sort key") from error


async def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> PageRequest:
    """Dependency: `page: Annotated[PageRequest, Depends(page_request)]` (async: no worker
    thread for a parse)."""
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


_PLAIN_LIMIT = re.compile(r"[1-9][0-9]{0,2}")


def plain_page_request(query_string: bytes) -> PageRequest | None:
    """`page_request`'s answer for a query of at most `limit` and `cursor` (a lean answer's
    page, shared/lean_route.py), or None for anything else, and for any value the route's
    own parameters would refuse or read otherwise: the route then answers (an unknown
    parameter, a filter, a repeated or empty one, a limit not in plain digits in range, a
    cursor `decode_cursor` refuses)."""
    if not query_string:
        return PageRequest(limit=DEFAULT_LIMIT, after=None)
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = dict(params)
    if len(given) != len(params) or not given.keys() <= {"limit", "cursor"}:
        return None
    limit, cursor = given.get("limit", str(DEFAULT_LIMIT)), given.get("cursor")
    if not _PLAIN_LIMIT.fullmatch(limit) or int(limit) > MAX_LIMIT or cursor == "":
        return None
    try:
        return PageRequest(limit=int(limit), after=decode_cursor(cursor) if cursor else None)
    except BadCursor:
        return None


def build_page(rows: list[T], limit: int, sort_key: Any) -> Page[T]:
    """Fetch `limit + 1` rows; the extra one only tells whether there is a next page."""
    items = rows[:limit]
    next_cursor = encode_cursor(sort_key(items[-1])) if len(rows) > limit and items else None
    return Page[T](items=items, next_cursor=next_cursor)


def json_page(items: list[str], limit: int, last_key: Callable[[int], list[Any]]) -> bytes:
    """A `Page` answer from items already serialised as JSON (PostgreSQL built them): the
    bytes `build_page(...).model_dump_json()` gives, less the passes over every item.
    `items` are `limit + 1` at most; `last_key(i)` is the sort key of item `i`."""
    kept = items[:limit]
    more = len(items) > limit and bool(kept)
    return joined_json_page(",".join(kept), last_key(limit - 1) if more else None)


def joined_json_page(joined_items: str, next_sort_key: list[Any] | None) -> bytes:
    """`json_page` of items PostgreSQL serialised and joined with commas itself; the sort
    key of the page's last item when another page follows, else None."""
    next_cursor = None if next_sort_key is None else encode_cursor(next_sort_key)
    return f'{{"items":[{joined_items}],"next_cursor":{json.dumps(next_cursor)}}}'.encode()


def page_of_sorted(items: list[T], page: PageRequest, sort_key: Any) -> Page[T]:
    """Keyset-page a list already sorted by `sort_key` (computed lists, e.g. a status report).

    `sort_key(item)` must return a JSON-serialisable list whose order matches the list's.
    """
    after = page.after
    if after is None or not items:
        return build_page(items[: page.limit + 1], page.limit, sort_key)
    shape = [_kind(part) for part in _json_key(sort_key(items[0]))]
    if [_kind(part) for part in after] != shape:  # comparing other types would raise
        raise BadCursor("not this list's sort key")
    remaining = [i for i in items if _json_key(sort_key(i)) > after]
    return build_page(remaining[: page.limit + 1], page.limit, sort_key)


def _kind(part: Any) -> str:
    return (
        "number"
        if isinstance(part, int | float) and not isinstance(part, bool)
        else type(part).__name__
    )


def _json_key(key: list[Any]) -> list[Any]:
    # compare as the cursor will hold it: after a JSON round trip
    decoded: list[Any] = json.loads(json.dumps(key, default=str))
    return decoded
