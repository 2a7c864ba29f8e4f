"""What this LRS can store, beyond what the spec requires of a Statement.

PostgreSQL text cannot hold the NUL character, so a Statement with `\\u0000` in a
string is refused (400) rather than failing in the database. Identifiers the filters
index (Verb and Activity ids, Agent identities) are limited to `MAX_INDEXED_BYTES`
each — the spec lets an LRS set size limits, answered with 413 (Communication §3.2).
"""

from __future__ import annotations

import json

from .errors import StatementInvalid
from .matching import activity_references, agent_references, verb_id
from .structure import JsonObject

MAX_INDEXED_BYTES = 1024


class TooLarge(Exception):
    """413: a value is larger than this LRS stores."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def check_storable(statement: JsonObject, path: str) -> None:
    """Raise `StatementInvalid` (NUL in a string) or `TooLarge` (an indexed id too long)."""
    if "\\u0000" in json.dumps(statement) and _holds_nul(statement):
        raise StatementInvalid("strings must not contain the NUL character (\\u0000)", path)
    values = [verb_id(statement) or ""]
    values += [ref.activity_id for ref in activity_references(statement)]
    values += [ref.identity.key for ref in agent_references(statement)]
    for value in values:
        if len(value.encode()) > MAX_INDEXED_BYTES:
            shown = value[:60] + "…"
            raise TooLarge(
                f"{path or 'the statement'}: {shown!r} is longer than the {MAX_INDEXED_BYTES} "
                "bytes this LRS indexes for a Verb id, Activity id or Agent identifier"
            )


def _holds_nul(value: object) -> bool:
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return True
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return False
