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
