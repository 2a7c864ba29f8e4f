"""The learning service's events: past-tense facts, payloads exactly as docs/events.md.

Certification consumes the learner events, so their field names and types are a
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


class EvidenceRetracted(DomainEvent):
    """The xAPI Statement that events of this learner came from was voided.

    `retracted_event_ids` are the learner's events (`assessment_attempted`,
    `module_mastered`, `concept_reviewed`) that no longer count: the learner's fold drops
    the attempt (and the mastery it established) or the review, and consumers drop the
    evidence they took from those events.
    """

    practitioner_id: str
    source_statement_id: str
    voiding_statement_id: str
    retracted_event_ids: list[str]
    attempt_id: str | None
    module_id: str | None
    concept_id: str | None
    reviewed_at: datetime | None  # the retracted review's practice time
    retracted_at: datetime


class TeamDefined(DomainEvent):
    """A team as once defined here; no longer written, teams are the roster's.

    Registered so that logs written before the roster owned teams still read."""

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
    | EvidenceRetracted
)

registry = EventRegistry()
for _event in (
    PractitionerEnrolled,
    AssessmentAttempted,
    ModuleMastered,
    ConceptReviewed,
    ConceptLapsed,
    ConceptRestored,
    EvidenceRetracted,
    TeamDefined,
):
    registry.register(_event)
