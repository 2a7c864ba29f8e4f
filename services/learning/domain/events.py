"""The learning service's events: past-tense facts, payloads exactly as docs/events.md.

Certification consumes the six learner events, so their field names and types are a
contract; `TeamDefined` is for coaches' tools and agency apps. Which request or xAPI
statement caused an event travels in the stored event's metadata, not its payload.
"""

from __future__ import annotations

from datetime import date, datetime

from services.learning.domain.review import ReviewOutcome
from shared.events import DomainEvent, EventRegistry


class PractitionerEnrolled(DomainEvent):
    practitioner_id: str
    enrolled_on: date
    catalog_version: str


class AssessmentAttempted(DomainEvent):
    attempt_id: str
    practitioner_id: str
    module_id: str
    module_order: int
    assessment_id: str
    scaled_score: float
    passed: bool
    attempted_at: datetime
    source_statement_id: str | None


class ModuleMastered(DomainEvent):
    practitioner_id: str
    module_id: str
    module_order: int
    mastered_at: datetime
    previous_module_mastered: bool
    attempt_id: str
    source_statement_id: str | None


class ConceptReviewed(DomainEvent):
    practitioner_id: str
    concept_id: str
    module_id: str
    rating: ReviewOutcome
    reviewed_at: datetime
    next_due_at: datetime


class ConceptLapsed(DomainEvent):
    practitioner_id: str
    concept_id: str
    module_id: str
    lapsed_on: date
    due_at: datetime


class ConceptRestored(DomainEvent):
    practitioner_id: str
    concept_id: str
    module_id: str
    restored_on: date


class TeamDefined(DomainEvent):
    """A supervisor's or coach's group of practitioners, (re)defined as a whole."""

    team_id: str
    team_name: str  # `name` is the event's own name
    member_ids: list[str]


LearnerEvent = (
    PractitionerEnrolled
    | AssessmentAttempted
    | ModuleMastered
    | ConceptReviewed
    | ConceptLapsed
    | ConceptRestored
)

registry = EventRegistry()
for _event in (
    PractitionerEnrolled,
    AssessmentAttempted,
    ModuleMastered,
    ConceptReviewed,
    ConceptLapsed,
    ConceptRestored,
    TeamDefined,
):
    registry.register(_event)
