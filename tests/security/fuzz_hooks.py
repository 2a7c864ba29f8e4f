"""Schemathesis hooks that turn a share of the generated requests hostile.

Loaded by `tests.security.fuzz` (`SCHEMATHESIS_HOOKS=tests.security.fuzz_hooks`). Each
generated query, path and body is kept as drawn or rewritten with one of: JSON nested
beyond the kernel's depth limit, crafted cursors, dates and datetimes at the ends of the
calendar (year 1, 9999, no timezone), and ids with bidi overrides, zero-width
characters, BOMs or control characters. The checks stay the same: no 5xx, and every
answer as its operation documents.
"""

from __future__ import annotations

import base64
from typing import Any

import schemathesis
from hypothesis import strategies as st

# bulk imports take NDJSON: a generated text body is sent as it is
schemathesis.serializer.alias("application/x-ndjson", "text/plain")

CURSORS = [
    base64.urlsafe_b64encode(raw.encode()).decode()
    for raw in ('["x"]', "[null]", '[{"a":1}]', "[1e999]", "[" * 300 + "]" * 300, '"x"', "[]")
] + ["not-a-cursor", "x" * 3000]
EXTREME_DATES = ["0001-01-01", "1899-12-31", "9999-12-31"]
EXTREME_DATETIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2025-01-01T10:00:00",
    "0001-01-01T00:00:00Z",
]
HOSTILE_TEXT = ["p\u202eevil", "p\u200bx", "\ufeffp", "e\u0301", "p\u2066x\u2069", "p\x07q"]
HOSTILE = EXTREME_DATES + EXTREME_DATETIMES + HOSTILE_TEXT


def deeply_nested(depth: int = 200) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _rewritten(values: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    if not values:
        return st.just(values)
    keys = sorted(values)
    return st.builds(
        lambda key, hostile: {**values, key: hostile},
        st.sampled_from(keys),
        st.sampled_from(HOSTILE),
    )


def _hostile_mapping(values: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if values is None:
        return st.just(values)
    options = [st.just(values), _rewritten(values)]
    return st.one_of(*options)


@schemathesis.hook
def flatmap_query(ctx: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if query is None:
        return st.just(query)
    with_cursor = st.sampled_from(CURSORS).map(lambda c: {**query, "cursor": c})
    return st.one_of(st.just(query), _rewritten(query), with_cursor)


@schemathesis.hook
def flatmap_path_parameters(ctx: Any, path: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    return _hostile_mapping(path)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    if isinstance(body, dict):
        nested = st.just({**body, **{k: deeply_nested() for k in list(body)[:1]}})
        return st.one_of(st.just(body), _rewritten(body), nested)
    if isinstance(body, list):
        return st.one_of(st.just(body), st.just(deeply_nested()))
    return st.just(body)
