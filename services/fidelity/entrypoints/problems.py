"""The one place fidelity's domain errors become RFC 9457 problems.

Every domain error is a 422 whose `type` ends in the error's stable `code`, whose
`detail` says what to fix, and which names the offending element when there is one
(`indicator_id` for ratings, `element_id` for an instrument definition).
"""

from __future__ import annotations

from typing import Any

from services.fidelity.domain.errors import (
    FidelityError,
    InvalidInstrumentError,
    InvalidObservationError,
    RatingsNotComparableError,
)
from shared.problems import Problem, Unprocessable

_TITLES: list[tuple[type[FidelityError], str]] = [
    (InvalidInstrumentError, "Invalid instrument"),
    (InvalidObservationError, "Invalid ratings"),
    (RatingsNotComparableError, "Ratings cannot be compared"),
]


def problem_for(error: FidelityError) -> Problem:
    title = next((t for cls, t in _TITLES if isinstance(error, cls)), "Breaks a fidelity rule")
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidObservationError | RatingsNotComparableError):
        extra["indicator_id"] = error.indicator_id
    if isinstance(error, InvalidInstrumentError):
        extra["element_id"] = error.element_id
    return Unprocessable(error.detail, title=title, slug=error.code, extra=extra)
