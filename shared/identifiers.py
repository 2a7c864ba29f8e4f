"""The ids callers choose (practitioner, coach, observer, supervisor, team) and names.

One rule in all four services, so an id one service takes is never refused by another:
NFC-normalised (a composed and a decomposed "é" are one id), and refused with a 422
naming the field when it holds a control character, a bidi override or isolate, a
zero-width character or a byte-order mark (all invisible: two ids that look the same
would be different records), whitespace, or `/` (ids are path segments).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

MAX_ID_CHARS = 128
# categories never visible in an id: controls, format characters (bidi controls, zero
# width space/joiners, BOM, soft hyphen), surrogates, private use, unassigned
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def _refuse_invisible(value: str, what: str) -> None:
    for char in value:
        if unicodedata.category(char) in _INVISIBLE:
            raise ValueError(
                f"{what} must not contain control characters or other invisible ones: "
                f"U+{ord(char):04X} ({unicodedata.name(char, 'a control or format character')})"
            )


def normalise_identifier(value: str) -> str:
    """An id in NFC, or ValueError saying which character is refused.

    Every request with an id in its path or body checks it: a plain ASCII id is taken at
    once (ASCII is NFC already, its only invisible characters are the controls, which
    `isprintable` refuses, and its only printable whitespace is the space); any other
    goes through the whole rule, which also says what is wrong."""
    if (
        value.isascii()
        and value.isprintable()
        and 1 <= len(value) <= MAX_ID_CHARS
        and " " not in value
        and "/" not in value
    ):
        return value
    return checked_identifier(value)


def checked_identifier(value: str) -> str:
    """`normalise_identifier`'s whole rule, character by character."""
    value = unicodedata.normalize("NFC", value)
    _refuse_invisible(value, "an id")
    if any(char.isspace() for char in value):
        raise ValueError("an id must not contain whitespace")
    if "/" in value:
        raise ValueError("an id must not contain '/'")
    if not 1 <= len(value) <= MAX_ID_CHARS:
        raise ValueError(f"an id is 1 to {MAX_ID_CHARS} characters")
    return value


def normalise_name(value: str) -> str:
    """A display name (a team's, say) in NFC, spaces allowed, invisible characters not."""
    value = unicodedata.normalize("NFC", value).strip()
    _refuse_invisible(value, "a name")
    if any(char.isspace() and char != " " for char in value):
        raise ValueError("a name may contain spaces but no other whitespace")
    return value


Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID_CHARS),
    AfterValidator(normalise_identifier),
]
PersonId = Annotated[
    Identifier,
    Field(description="the agency's own id for a person (the same in all four services)"),
]
PersonPath = Annotated[
    str,
    Path(min_length=1, max_length=MAX_ID_CHARS, examples=["prac-017"]),
    AfterValidator(normalise_identifier),
]
PersonQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_ID_CHARS),
    AfterValidator(lambda v: None if v is None else normalise_identifier(v)),
]
DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(normalise_name)
]
