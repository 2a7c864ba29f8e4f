"""Keyset pagination for list endpoints: `?limit=&cursor=` → `{items, next_cursor}`.

The cursor is opaque to clients (base64 JSON of the last row's sort key), so a list stays
stable while new rows arrive, and deep pages cost the same as the first.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.problems import Unprocessable

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


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
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise Unprocessable(
            "cursor is not one this API issued; pass back `next_cursor` unchanged"
        ) from error
    if not isinstance(value, list):
        raise Unprocessable("cursor is not one this API issued; pass back `next_cursor` unchanged")
    return value


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> PageRequest:
    """Dependency: `page: Annotated[PageRequest, Depends(page_request)]`."""
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


def build_page(rows: list[T], limit: int, sort_key: Any) -> Page[T]:
    """Fetch `limit + 1` rows; the extra one only tells whether there is a next page."""
    items = rows[:limit]
    next_cursor = encode_cursor(sort_key(items[-1])) if len(rows) > limit and items else None
    return Page[T](items=items, next_cursor=next_cursor)


def page_of_sorted(items: list[T], page: PageRequest, sort_key: Any) -> Page[T]:
    """Keyset-page a list already sorted by `sort_key` (computed lists, e.g. a status report).

    `sort_key(item)` must return a JSON-serialisable list whose order matches the list's.
    """
    after = page.after
    remaining = items if after is None else [i for i in items if _json_key(sort_key(i)) > after]
    return build_page(remaining[: page.limit + 1], page.limit, sort_key)


def _json_key(key: list[Any]) -> list[Any]:
    # compare as the cursor will hold it: after a JSON round trip
    decoded: list[Any] = json.loads(json.dumps(key, default=str))
    return decoded
