"""The one place coaching's domain errors become RFC 9457 problems.

`InvalidFieldError` → 422, `PermissionRefusedError` → 403, `StateConflictError` → 409;
the detail is the domain's message, which already says what to fix, prefixed with the
field as the API names it. A unique-key race between two identical creates is a 409
that a retry resolves (the retry finds the stored record).
"""

from __future__ import annotations

from services.coaching.domain.errors import (
    CoachingError,
    InvalidFieldError,
    PermissionRefusedError,
    StateConflictError,
)
from shared.problems import Conflict, Forbidden, Problem, Unprocessable

# Where the API's field names differ from the domain's.
API_FIELD_NAMES = {"source_kind": "source_type"}

_PROBLEMS: dict[type[CoachingError], type[Problem]] = {
    InvalidFieldError: Unprocessable,
    PermissionRefusedError: Forbidden,
    StateConflictError: Conflict,
}


def problem_for(error: CoachingError) -> Problem:
    field = API_FIELD_NAMES.get(error.field, error.field)
    message = error.message
    for domain_name, api_name in API_FIELD_NAMES.items():
        message = message.replace(domain_name, api_name)
    kind = next(
        (problem for cls, problem in _PROBLEMS.items() if isinstance(error, cls)), Unprocessable
    )
    return kind(f"{field}: {message}", extra={"errors": [{"field": field, "message": message}]})
