"""Field types shared by the coaching API's request and response models.

Ids and text are checked here for what PostgreSQL cannot store (NUL) and what no id
should hold (control characters), so such input is a 422, never a database error.
Practice dates start at `EARLIEST_PRACTICE_DATE`: years of history are imported, not
centuries, and date arithmetic on year 1 would overflow.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from shared.identifiers import Identifier as KernelIdentifier
from shared.identifiers import PersonId as KernelPersonId
from shared.identifiers import PersonPath as KernelPersonPath
from shared.identifiers import PersonQuery as KernelPersonQuery
from shared.practice_time import EARLIEST_DATE, CalendarDate

EARLIEST_PRACTICE_DATE = EARLIEST_DATE


def _printable_id(value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("an id must not contain control characters")
    return value


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL (\\u0000) characters")
    return value


# the kernel's ids: one rule in all four services (NFC, nothing invisible, no spaces)
Identifier = KernelIdentifier
PersonId = KernelPersonId
PersonQuery = KernelPersonQuery
PersonPath = KernelPersonPath

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

# the kernel's range (1900-01-01 to 2100-12-31): an assignment may start in the future
PracticeDate = CalendarDate

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
