"""Domain errors of the learning service.

Plain exceptions, raised by the pure rules when a request cannot be honoured. Each
message says what was wrong *and* what the caller should do instead, because the API
edge turns them into RFC 9457 problem details verbatim.

They deliberately do not subclass ``ValueError``: pydantic wraps a ``ValueError``
raised inside a validator into a ``ValidationError``, and we want the domain error
itself to reach the caller even when a model constructor enforces the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class LearningDomainError(Exception):
    """Base class: a learning rule refused the request."""


class NaivePracticeDateError(LearningDomainError):
    def __init__(self, value: datetime) -> None:
        super().__init__(
            f"practice date {value.isoformat()} has no timezone; send an ISO 8601 "
            "timestamp with an offset (e.g. '2026-03-01T14:00:00Z')"
        )


class PracticeDateOutOfRangeError(LearningDomainError):
    def __init__(self, value: datetime) -> None:
        super().__init__(
            f"practice date {value.isoformat()} is outside the calendar this system keeps "
            "(1900-01-01 to 2100-12-31)"
        )


class PracticeDateInFutureError(LearningDomainError):
    def __init__(self, happened_at: datetime, now: datetime) -> None:
        super().__init__(
            f"practice date {happened_at.isoformat()} lies in the future (now is "
            f"{now.isoformat()}); record only things that have already happened"
        )


class ScoreOutOfRangeError(LearningDomainError):
    def __init__(self, score: float) -> None:
        super().__init__(
            f"scaled score {score!r} is outside 0..1; send the scaled score "
            "(xAPI result.score.scaled, i.e. raw ÷ max), not the raw or percentage score"
        )


class UnknownModuleError(LearningDomainError):
    def __init__(self, module_id: str, catalog_version: str, known: Iterable[str]) -> None:
        super().__init__(
            f"module {module_id!r} is not in catalog {catalog_version}; "
            f"use one of: {', '.join(known)}"
        )


class UnknownCompetencyError(LearningDomainError):
    def __init__(self, competency_id: str, catalog_version: str, known: Iterable[str]) -> None:
        super().__init__(
            f"competency {competency_id!r} is not in catalog {catalog_version}; "
            f"use one of: {', '.join(known)}"
        )


class UnknownConceptError(LearningDomainError):
    def __init__(self, concept_id: str, catalog_version: str) -> None:
        super().__init__(
            f"concept {concept_id!r} is not in catalog {catalog_version}; "
            "map the activity to an existing concept id (e.g. 'M1.C1')"
        )


class NotEnrolledError(LearningDomainError):
    def __init__(self, module_id: str) -> None:
        super().__init__(
            f"the practitioner is not enrolled in module {module_id!r}; "
            "record the enrollment before any assessment attempt"
        )


class AttemptBeforeEnrollmentError(LearningDomainError):
    def __init__(self, module_id: str, attempted_at: datetime, enrolled_at: datetime) -> None:
        super().__init__(
            f"attempt on module {module_id!r} dated {attempted_at.isoformat()} precedes "
            f"the enrollment on {enrolled_at.isoformat()}; check the attempt's practice "
            "date, or record the earlier enrollment first"
        )


class ReviewBeforeMasteryError(LearningDomainError):
    def __init__(self, concept_id: str, reviewed_at: datetime, mastered_at: datetime) -> None:
        super().__init__(
            f"review of concept {concept_id!r} dated {reviewed_at.isoformat()} precedes "
            f"the module mastery on {mastered_at.isoformat()}; only mastered concepts "
            "are reviewed — check the review's practice date"
        )


class ReviewOutOfOrderError(LearningDomainError):
    def __init__(self, concept_id: str, reviewed_at: datetime, last_review: datetime) -> None:
        super().__init__(
            f"review of concept {concept_id!r} dated {reviewed_at.isoformat()} is earlier "
            f"than the card's last review ({last_review.isoformat()}); rebuild the card "
            "from its full history with replay_card instead of applying it incrementally"
        )


class CardNewerThanAsOfError(LearningDomainError):
    def __init__(self, concept_id: str, last_review: datetime, as_of: datetime) -> None:
        super().__init__(
            f"card of concept {concept_id!r} was last reviewed {last_review.isoformat()}, "
            f"after the requested as-of {as_of.isoformat()}; replay the card with "
            "replay_card(..., until=as_of) to look at the past"
        )


class PractitionerNotEnrolledError(LearningDomainError):
    def __init__(self, practitioner_id: str) -> None:
        super().__init__(
            f"practitioner {practitioner_id!r} is not enrolled in the program; "
            "POST /enrollments first"
        )


class UnknownCatalogVersionError(LearningDomainError):
    def __init__(self, version: str, known: Iterable[str]) -> None:
        super().__init__(
            f"catalog version {version!r} does not exist; use one of: {', '.join(known)}"
        )


class ReviewRatingMissingError(LearningDomainError):
    def __init__(self) -> None:
        super().__init__(
            "send exactly one of 'rating' (again, hard, good, easy) or 'scaled_score' (0..1)"
        )
