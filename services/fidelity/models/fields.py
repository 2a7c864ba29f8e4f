"""Constrained field types shared by the fidelity request models and query parameters.

PostgreSQL text cannot hold NUL and ids should never hold control characters, so both
are refused at the edge (a 422 naming the field) instead of failing in the database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from shared.identifiers import PersonId as KernelPersonId

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"
PRINTABLE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and newlines allowed
MAX_VERSION = 1_000_000

# an agency's own id for a practitioner, coach or observer
PersonId = KernelPersonId
# an instrument key or indicator id as a caller refers to it (checked against the instrument)
ElementRef = Annotated[
    str, StringConstraints(min_length=1, max_length=80, pattern=NO_CONTROL_CHARACTERS)
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE_TEXT),
]
Setting = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PRINTABLE_TEXT),
]
IndicatorText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE_TEXT),
]
