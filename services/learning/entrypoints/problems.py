"""Domain errors → RFC 9457 problems: the one place the learning service maps them.

422: the request itself is wrong (unknown id, score out of range, date without offset…).
409: the request is fine but conflicts with the learner's state (not enrolled yet,
dated before the enrollment or the mastery).
"""

from __future__ import annotations

from services.learning.domain.errors import (
    AttemptBeforeEnrollmentError,
    LearningDomainError,
    NotEnrolledError,
    PractitionerNotEnrolledError,
    ReviewBeforeMasteryError,
    ReviewOutOfOrderError,
)
from shared.problems import Conflict, Problem, Unprocessable

_STATE_CONFLICTS: tuple[type[LearningDomainError], ...] = (
    NotEnrolledError,
    PractitionerNotEnrolledError,
    AttemptBeforeEnrollmentError,
    ReviewBeforeMasteryError,
    ReviewOutOfOrderError,
)


def problem_for(error: LearningDomainError) -> Problem:
    """The problem a domain error becomes; its message is the detail, verbatim."""
    if isinstance(error, _STATE_CONFLICTS):
        return Conflict(str(error))
    return Unprocessable(str(error))
