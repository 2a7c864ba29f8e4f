"""Record a spaced review of a concept; it can end a lapse, or show one never happened.

The review is stored whatever is known of the concept's mastery; the lapse
announcements are then brought in line with the whole review history in the same
append (lapse_announcements.py), so a back-dated review shows its effect at once.
"""

from __future__ import annotations

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import (
    append_to_learner,
    load_learner,
    lock_learner,
    remember_learner,
)
from services.learning.domain.errors import PractitionerNotEnrolledError, ReviewRatingMissingError
from services.learning.domain.events import ConceptRestored, ConceptReviewed
from services.learning.domain.learner import decide_review, evolve
from services.learning.domain.review import ConceptReview, ReviewOutcome, outcome_for_score
from services.learning.handlers.context import LEARNING
from services.learning.handlers.lapse_announcements import reconciled_lapses
from services.learning.handlers.lapses import sync_lapsed_cards
from services.learning.handlers.recorded import Recorded, pending_event, writing
from services.learning.models.commands import RecordReview
from services.learning.models.records import ReviewRecord
from shared.database import Connection
from shared.idempotency_keys import minted_id
from shared.practice_time import refuse_future
from shared.problems import Conflict
from shared.service import Runtime


def review_outcome(command: RecordReview) -> ReviewOutcome:
    """The rating sent, or the one its scaled score maps to; exactly one must be sent."""
    if (command.rating is None) == (command.scaled_score is None):
        raise ReviewRatingMissingError()
    if command.rating is not None:
        return command.rating
    assert command.scaled_score is not None
    return outcome_for_score(command.scaled_score)


async def record_review(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    command: RecordReview,
    *,
    source_statement_id: str | None = None,
) -> Recorded[ReviewRecord]:
    """Append `concept_reviewed` and the lapse events the history now calls for.

    Runs inside the caller's transaction; raises a `LearningDomainError` or a
    `shared.problems.Problem` having written nothing.
    """
    learning = LEARNING.of(runtime)
    outcome = review_outcome(command)
    refuse_future(command.reviewed_at, "reviewed_at", now=learning.clock())
    learning.catalogs.current.concept(command.concept_id)

    await lock_learner(conn, agency_id, command.practitioner_id)
    if command.id is not None:
        existing = await queries.find_review(conn, agency_id, command.id)
        if existing is not None:
            return _retried(existing, command, outcome)
    learner = await load_learner(
        learning, conn, agency_id, command.practitioner_id, on_roster=command.reviewed_at.date()
    )
    if learner.state is None:
        raise PractitionerNotEnrolledError(command.practitioner_id)
    catalog = learning.catalogs.get(learner.state.catalog_version)
    review = ConceptReview(
        concept_id=command.concept_id, outcome=outcome, reviewed_at=command.reviewed_at
    )
    decision = decide_review(learner.state, review, catalog, learning.review_policy)
    reviewed = ConceptReviewed(
        practitioner_id=command.practitioner_id,
        concept_id=command.concept_id,
        module_id=decision.module_id,
        rating=outcome,
        reviewed_at=review.reviewed_at,
        next_due_at=decision.card.due if decision.card else None,
    )
    after = evolve(learner.state, reviewed, catalog, learning.review_policy)
    lapse_events = await reconciled_lapses(
        learning, conn, learner.stream_id, after, catalog, learning.clock()
    )
    restored = any(
        isinstance(event, ConceptRestored) and event.concept_id == command.concept_id
        for event, _ in lapse_events
    )
    review_id = minted_id(command.id)
    async with writing(conn):
        stored = await append_to_learner(
            learning,
            conn,
            learner,
            [
                pending_event(
                    event,
                    agency_id=agency_id,
                    subject=command.practitioner_id,
                    actor=actor,
                    occurred_at=occurred_at,
                    review_id=str(review_id),
                    scaled_score=command.scaled_score,
                    source_statement_id=source_statement_id,
                )
                for event, occurred_at in [(reviewed, review.reviewed_at), *lapse_events]
            ],
        )
        record = ReviewRecord(
            id=review_id,
            practitioner_id=reviewed.practitioner_id,
            concept_id=reviewed.concept_id,
            module_id=reviewed.module_id,
            rating=reviewed.rating,
            scaled_score=command.scaled_score,
            reviewed_at=reviewed.reviewed_at,
            next_due_at=reviewed.next_due_at,
            restored=restored,
            source_statement_id=source_statement_id,
            recorded_at=stored[0].recorded_at,
        )
        await projections.insert_review(conn, agency_id, record)
        for event, _ in lapse_events:
            after = evolve(after, event, catalog, learning.review_policy)
        await sync_lapsed_cards(conn, agency_id, after, catalog)
    remember_learner(learning, learner, stored, after)
    return Recorded(record, created=True)


def _retried(
    existing: ReviewRecord, command: RecordReview, outcome: ReviewOutcome
) -> Recorded[ReviewRecord]:
    same = (
        existing.practitioner_id == command.practitioner_id
        and existing.concept_id == command.concept_id
        and existing.rating is outcome
        and existing.scaled_score == command.scaled_score
        and existing.reviewed_at == command.reviewed_at
    )
    if not same:
        raise Conflict(
            f"review id {existing.id} is already recorded with other content "
            f"({existing.practitioner_id}, {existing.concept_id}, {existing.rating.value}, "
            f"{existing.reviewed_at.isoformat()}); use a new id for a new review"
        )
    return Recorded(existing, created=False)
