"""Names built from callers' ids: event stream ids and NATS subject tokens.

Joining ids with a separator they may contain lets two tenants build the same name
(`instrument-sec-a-b-tool` is agency `sec-a` with key `b-tool`, and agency `sec-a-b`
with key `tool`). Every part is escaped first: `%`, the separator `/`, and everything
outside letters, digits, `-`, `_` and `~` become `%XX` (UTF-8), so the escaped parts
never contain the separator and the name maps back to exactly one tuple of parts.
The same escaping makes a NATS subject token: no `.`, `*`, `>` or whitespace survives.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

# unreserved characters of RFC 3986 minus '.', which NATS reads as a token separator
_SAFE = "-_~"
# a part made only of characters `quote` keeps as they are (the usual id): itself
_UNCHANGED = re.compile(r"[A-Za-z0-9_~-]*")


def escape_part(part: str) -> str:
    """A part with no `/`, `.`, `*`, `>`, `%` or whitespace left: injective, reversible."""
    if _UNCHANGED.fullmatch(part):
        return part
    return quote(part, safe=_SAFE).replace(".", "%2E")


def stream_id(kind: str, *parts: str) -> str:
    """`kind/part/part…` with each part escaped: different parts never give one id."""
    if not parts:
        raise ValueError("a stream id needs at least one part after its kind")
    return "/".join(escape_part(p) for p in (kind, *parts))


def stream_parts(value: str) -> list[str]:
    """The inverse of `stream_id`: `[kind, part, …]`."""
    return [unquote(p) for p in value.split("/")]


def subject_token(value: str) -> str:
    """One NATS subject token: never empty, never a wildcard or a separator."""
    if not value:
        raise ValueError("a NATS subject token cannot be empty")
    return escape_part(value)
