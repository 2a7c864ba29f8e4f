"""Record an assessment attempt; the first one reaching the mastery score masters the module."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import (
    LoadedLearner,
    append_to_learner,
    load_learner,
    lock_learner,
)
from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import NotEnrolledError
from services.learning.domain.events import AssessmentAttempted, ModuleMastered
from services.learning.domain.learner import LearnerState, evolve
from services.learning.domain.mastery import (
    Attempt,
    AttemptOutcome,
    decide_attempt,
    require_scaled_score,
)
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.recorded import Recorded, pending_event, writing
from services.learning.models.commands import RecordAttempt
from services.learning.models.records import AttemptRecord
from shared.database import Connection
from shared.events import DomainEvent
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
) -> Recorded[AttemptRecord]:
    """Append `assessment_attempted` (and `module_mastered` when it masters the module).

    Runs inside the caller's transaction; raises a `LearningDomainError` or a
    `shared.problems.Problem` having written nothing.
    """
    learning = LEARNING.of(runtime)
    require_scaled_score(command.scaled_score)
    refuse_future(command.attempted_at, "attempted_at", now=learning.clock())
    learning.catalogs.current.module(command.module_id)

    await lock_learner(conn, agency_id, command.practitioner_id)
    if command.id is not None:
        existing = await queries.find_attempt(conn, agency_id, command.id)
        if existing is not None:
            return _retried(existing, command)
    learner = await load_learner(learning, conn, agency_id, command.practitioner_id)
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
    events: list[DomainEvent] = [attempted] if mastered is None else [attempted, mastered]
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
                    occurred_at=outcome.attempted_at,
                )
                for event in events
            ],
        )
        record = _record(attempted, mastered, stored[0].recorded_at)
        await projections.insert_attempt(conn, agency_id, record)
        if outcome.newly_mastered:
            await _sync_new_cards(learning, conn, learner, events, catalog, outcome.module_id)
    return Recorded(record, created=True)


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


async def _sync_new_cards(
    learning: LearningContext,
    conn: Connection,
    learner: LoadedLearner,
    events: list[DomainEvent],
    catalog: Catalog,
    module_id: str,
) -> None:
    assert learner.state is not None
    state = learner.state
    for event in events:  # the fold decides the cards, exactly as a replay would
        state = evolve(state, event, catalog, learning.review_policy)
    module = catalog.module(module_id)
    await projections.sync_cards(
        conn,
        learner.agency_id,
        state,
        module.concept_ids,
        {concept_id: module.id for concept_id in module.concept_ids},
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
