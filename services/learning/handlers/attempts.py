"""Record an assessment attempt; the earliest one reaching the mastery score masters the module.

A mastery starts the module's review cards, so the lapses its history implies (an
imported mastery long past, with or without reviews) are announced in the same append.

A REST create first records without the learner's lock (`alone=True`): the decision is
made on the stream as one statement reads it, and the attempt's one event is stored by
an append that checks the stream is still at that version and commits by itself (two
round trips where BEGIN with the lock, the read, the append and COMMIT took four). A
stream that moved meanwhile (`ConcurrencyConflict`) or a decision with more to write
than one event (`LockNeeded`) stores nothing, and the caller records again under the
lock, in a transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import (
    LoadedLearner,
    append_alone_to_learner,
    append_to_learner,
    load_learner,
    lock_learner,
    remember_learner,
)
from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import NotEnrolledError
from services.learning.domain.events import AssessmentAttempted, EvidenceWithdrawn, ModuleMastered
from services.learning.domain.learner import LearnerState, evolve
from services.learning.domain.mastery import (
    Attempt,
    AttemptOutcome,
    decide_attempt,
    require_scaled_score,
)
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.lapse_announcements import (
    TimedEvent,
    mastery_event_id,
    reconciled_lapses,
)
from services.learning.handlers.lapses import sync_lapsed_cards
from services.learning.handlers.recorded import LockNeeded, Recorded, pending_event, writing
from services.learning.models.commands import RecordAttempt
from services.learning.models.records import AttemptRecord
from shared.database import Connection
from shared.idempotency_keys import minted_id
from shared.practice_time import refuse_future
from shared.problems import Conflict
from shared.service import Runtime


async def record_attempt(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    command: RecordAttempt,
    *,
    source_statement_id: str | None = None,
    look_first: bool = True,
    alone: bool = False,
) -> Recorded[AttemptRecord]:
    """Append `assessment_attempted` (and `module_mastered` when it masters the module).

    Runs inside the caller's transaction; raises a `LearningDomainError` or a
    `shared.problems.Problem` having written nothing. `look_first=False` skips looking
    for an attempt of the command's id: one already stored makes the write fail on its
    row's key (`RecordIdTaken`), and the caller asks again looking first.

    `alone=True`: `conn` is outside any transaction and the learner's lock is not taken
    (module docstring); raises `ConcurrencyConflict` or `LockNeeded` having written
    nothing, and the caller records again under the lock.
    """
    learning = LEARNING.of(runtime)
    require_scaled_score(command.scaled_score)
    refuse_future(command.attempted_at, "attempted_at", now=learning.clock())
    learning.catalogs.current.module(command.module_id)

    if not alone:
        await lock_learner(conn, agency_id, command.practitioner_id)
    if command.id is not None and look_first:
        existing = await queries.find_attempt(conn, agency_id, command.id)
        if existing is not None:
            return _retried(existing, command)
    learner = await load_learner(
        learning, conn, agency_id, command.practitioner_id, on_roster=command.attempted_at.date()
    )
    if learner.state is None:
        raise NotEnrolledError(command.module_id)
    catalog = learning.catalogs.get(learner.state.catalog_version)
    attempt_id = minted_id(command.id)
    outcome = decide_attempt(
        learner.state.progress,
        Attempt(
            attempt_id=str(attempt_id),
            module_id=command.module_id,
            scaled_score=command.scaled_score,
            attempted_at=command.attempted_at,
        ),
        catalog,
    )
    attempted, mastered = _events(learner.state, outcome, catalog, source_statement_id)
    events: list[TimedEvent] = [(attempted, outcome.attempted_at)]
    if mastered is not None:
        events.append((mastered, outcome.attempted_at))
    if outcome.supersedes_attempt_id is not None:
        events.append(await _superseded(learning, conn, learner, outcome))
    after = learner.state
    for event, _ in events:
        after = evolve(after, event, catalog, learning.review_policy)
    lapse_events = await reconciled_lapses(
        learning, conn, learner.stream_id, after, catalog, learning.clock()
    )
    for event, _ in lapse_events:
        after = evolve(after, event, catalog, learning.review_policy)
    written = _record(attempted, mastered, recorded_at=learning.clock())
    pending = [
        pending_event(
            event,
            agency_id=agency_id,
            subject=command.practitioner_id,
            actor=actor,
            occurred_at=occurred_at,
        )
        for event, occurred_at in [*events, *lapse_events]
    ]
    projected = projections.attempt_row(agency_id, written)
    if alone:
        if len(pending) != 1:  # a mastery, a lapse: written under the lock
            raise LockNeeded(learner.stream_id)
        stored = await append_alone_to_learner(learning, conn, learner, pending, projected)
    else:
        async with writing(conn):
            stored = await append_to_learner(learning, conn, learner, pending, projected)
            if outcome.newly_mastered or lapse_events:
                await sync_lapsed_cards(conn, agency_id, after, catalog)
    # the row's recorded_at is the events' (the transaction's now())
    record = written.model_copy(update={"recorded_at": stored[0].recorded_at})
    remember_learner(learning, learner, stored, after)
    return Recorded(record, created=True)


async def _superseded(
    learning: LearningContext, conn: Connection, learner: LoadedLearner, outcome: AttemptOutcome
) -> TimedEvent:
    """Withdraw the later mastery this earlier passing attempt replaces."""
    assert learner.state is not None and outcome.supersedes_attempt_id is not None
    stream = await learning.store.read_stream(learner.stream_id, conn)
    old_id = mastery_event_id(stream, outcome.supersedes_attempt_id)
    withdrawn = EvidenceWithdrawn(
        practitioner_id=learner.practitioner_id,
        retracted_event_ids=[old_id] if old_id else [],
        reason=(
            f"{outcome.module_id} was mastered earlier, by attempt {outcome.attempt_id} "
            f"on {outcome.attempted_at.date()}"
        ),
        concept_id=None,
        due_at=None,
        module_id=outcome.module_id,
        attempt_id=outcome.supersedes_attempt_id,
    )
    return withdrawn, outcome.attempted_at


def _events(
    state: LearnerState,
    outcome: AttemptOutcome,
    catalog: Catalog,
    source_statement_id: str | None,
) -> tuple[AssessmentAttempted, ModuleMastered | None]:
    module = catalog.module(outcome.module_id)
    attempted = AssessmentAttempted(
        attempt_id=outcome.attempt_id,
        practitioner_id=state.practitioner_id,
        module_id=module.id,
        module_order=module.order,
        assessment_id=module.assessment.id,
        scaled_score=outcome.scaled_score,
        passed=outcome.mastered,
        attempted_at=outcome.attempted_at,
        source_statement_id=source_statement_id,
    )
    if not outcome.newly_mastered:
        return attempted, None
    mastered = ModuleMastered(
        practitioner_id=state.practitioner_id,
        module_id=module.id,
        module_order=module.order,
        mastered_at=outcome.attempted_at,
        # the contract says true for the first module, which has no predecessor
        previous_module_mastered=outcome.previous_module_mastered is not False,
        attempt_id=outcome.attempt_id,
        source_statement_id=source_statement_id,
    )
    return attempted, mastered


def _record(
    attempted: AssessmentAttempted, mastered: ModuleMastered | None, recorded_at: datetime
) -> AttemptRecord:
    return AttemptRecord(
        id=uuid.UUID(attempted.attempt_id),
        practitioner_id=attempted.practitioner_id,
        module_id=attempted.module_id,
        module_order=attempted.module_order,
        assessment_id=attempted.assessment_id,
        scaled_score=attempted.scaled_score,
        passed=attempted.passed,
        mastered_module=mastered is not None,
        previous_module_mastered=mastered.previous_module_mastered if mastered else None,
        attempted_at=attempted.attempted_at,
        source_statement_id=attempted.source_statement_id,
        recorded_at=recorded_at,
    )


def _retried(existing: AttemptRecord, command: RecordAttempt) -> Recorded[AttemptRecord]:
    same = (
        existing.practitioner_id == command.practitioner_id
        and existing.module_id == command.module_id
        and existing.scaled_score == command.scaled_score
        and existing.attempted_at == command.attempted_at
    )
    if not same:
        raise Conflict(
            f"attempt id {existing.id} is already recorded with other content "
            f"({existing.practitioner_id}, {existing.module_id}, score {existing.scaled_score}, "
            f"{existing.attempted_at.isoformat()}); use a new id for a new attempt"
        )
    return Recorded(existing, created=False)
