"""Field types shared by the coaching API's request and response models.

Ids and text are checked here for what PostgreSQL cannot store (NUL) and what no id
should hold (control characters), so such input is a 422, never a database error.
Practice dates start at `EARLIEST_PRACTICE_DATE`: years of history are imported, not
centuries, and date arithmetic on year 1 would overflow.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

EARLIEST_PRACTICE_DATE = date(1900, 1, 1)


def _printable_id(value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("an id must not contain control characters")
    return value


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL (\\u0000) characters")
    return value


Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128),
    AfterValidator(_printable_id),
]

PersonId = Annotated[
    Identifier,
    Field(description="the agency's own id for a person (the same in all four services)"),
]

PersonQuery = Annotated[
    str | None, Query(min_length=1, max_length=128), AfterValidator(_printable_id)
]
PersonPath = Annotated[str, Path(min_length=1, max_length=128), AfterValidator(_printable_id)]

ClientId = Annotated[
    uuid.UUID | None,
    Field(
        default=None,
        description=(
            "the record's id, chosen by the client to make retries safe: a repeat with the "
            "same id and content returns the stored record, different content is a 409; "
            "left out, the server picks one"
        ),
    ),
]

PracticeDate = Annotated[date, Field(ge=EARLIEST_PRACTICE_DATE)]

ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2_000),
    AfterValidator(_storable_text),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=20_000),
    AfterValidator(_storable_text),
]
