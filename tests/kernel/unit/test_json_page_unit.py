"""A page of items PostgreSQL serialised reads like a page the models serialise."""

from __future__ import annotations

import json

from pydantic import BaseModel

from shared.pagination import build_page, decode_cursor, json_page


class Item(BaseModel):
    item_id: str
    score: int | None


ROWS = [Item(item_id=f"i-{n}", score=n if n % 2 else None) for n in range(4)]


def test_a_json_page_equals_the_model_page_with_and_without_a_next_page() -> None:
    for limit in (2, 3, 4, 10):
        rows = ROWS[: limit + 1]
        expected = build_page(rows, limit, lambda item: [item.item_id]).model_dump_json()
        texts = [row.model_dump_json() for row in rows]
        answered = json_page(texts, limit, lambda i: [ROWS[i].item_id])
        assert json.loads(answered) == json.loads(expected)
    last = json.loads(json_page([r.model_dump_json() for r in ROWS], 3, lambda i: [f"i-{i}"]))
    assert decode_cursor(last["next_cursor"]) == ["i-2"]
    assert json.loads(json_page([], 5, lambda i: [i])) == {"items": [], "next_cursor": None}
