"""The learning service's events: past-tense facts, payloads exactly as docs/events.md.

Certification consumes the learner events, so their field names and types are a
contract; `TeamDefined` is for coaches' tools and agency apps. Which request or xAPI
statement caused an event travels in the stored event's metadata, not its payload.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

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
    """The module's earliest known mastering attempt.

    ``previous_module_mastered`` says what was known when the event was recorded; it is
    kept for old readers only. Whether modules were mastered in order is decided from
    the mastery dates when evidence is evaluated, so a module mastered later in
    practice but sent first is never judged on this flag.
    """

    practitioner_id: str
    module_id: str
    module_order: int
    mastered_at: datetime
    previous_module_mastered: bool
    attempt_id: str
    source_statement_id: str | None


class ConceptReviewed(DomainEvent):
    """A review of a concept, recorded whatever the concept's mastery as known then.

    Version 2: ``next_due_at`` is null when the concept's module was not known to be
    mastered by the review's date when it was recorded (the review counts on the
    card from the mastery on, once the mastery is known).
    """

    version: ClassVar[int] = 2

    practitioner_id: str
    concept_id: str
    module_id: str
    rating: ReviewOutcome
    reviewed_at: datetime
    next_due_at: datetime | None


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


class EvidenceWithdrawn(DomainEvent):
    """Learning withdrew evidence it derived itself that the full history no longer implies.

    Lapses and masteries are decided on practice dates, so an earlier-dated record that
    arrives late can change them: a review that was in time removes a lapse (or moves
    its restoration), an earlier passing attempt moves a module's mastery earlier. The
    withdrawn events (`concept_lapsed` / `concept_restored` of one lapse episode, or a
    superseded `module_mastered`) are named in ``retracted_event_ids``; consumers drop
    the evidence they took from them, as for `evidence_retracted`. What replaces them,
    if anything, is announced by new events in the same append.
    """

    practitioner_id: str
    retracted_event_ids: list[str]
    reason: str
    concept_id: str | None  # a withdrawn lapse episode: its concept and card due date
    due_at: datetime | None
    module_id: str | None  # a superseded mastery: its module and mastering attempt
    attempt_id: str | None


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
    | EvidenceWithdrawn
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
    EvidenceWithdrawn,
    TeamDefined,
):
    registry.register(_event)


@registry.upcaster("concept_reviewed", 1)
def _concept_reviewed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 always carried a next_due_at, which v2 still accepts; only the type widened
    return data
