"""Retract the evidence an xAPI Statement produced, once the LMS voided that Statement.

Events are facts, so nothing is deleted from the learner's stream: `evidence_retracted`
names the learner's events that came from the Statement (`assessment_attempted` and
the `module_mastered` it established, or `concept_reviewed`). The learner's fold drops
the attempt (and that mastery, with the module's review cards) or the review; the
attempt and review projections lose the rows; consumers (certification) drop the
evidence they took from the retracted events.
"""

from __future__ import annotations

from datetime import datetime

from services.learning.adapters.learner_stream import append_to_learner, load_learner, lock_learner
from services.learning.domain.catalog import Catalog
from services.learning.domain.events import EvidenceRetracted, ModuleMastered
from services.learning.domain.learner import LearnerState, evolve
from services.learning.domain.mastery import earliest_passing, previous_mastered_by
from services.learning.handlers.context import LEARNING
from services.learning.handlers.lapse_announcements import TimedEvent, reconciled_lapses
from services.learning.handlers.lapses import sync_lapsed_cards
from services.learning.handlers.recorded import pending_event, writing
from shared.database import Connection
from shared.events import StoredEvent
from shared.service import Runtime

_SOURCED = ("assessment_attempted", "module_mastered", "concept_reviewed")


async def retract_statement_evidence(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    *,
    practitioner_id: str,
    source_statement_id: str,
    voiding_statement_id: str,
    retracted_at: datetime,
) -> EvidenceRetracted | None:
    """Append `evidence_retracted` for the Statement's events; None when there are none
    (or they were retracted already). Runs inside the caller's transaction."""
    learning = LEARNING.of(runtime)
    await lock_learner(conn, agency_id, practitioner_id)
    learner = await load_learner(learning, conn, agency_id, practitioner_id)
    if learner.state is None:
        return None
    stream = await learning.store.read_stream(learner.stream_id, conn)
    retracted = {
        i for e in stream if e.name == "evidence_retracted" for i in e.data["retracted_event_ids"]
    }
    found = [
        e
        for e in stream
        if e.name in _SOURCED
        and str(e.event_id) not in retracted
        and source_statement_id
        in (e.data.get("source_statement_id"), e.metadata.get("source_statement_id"))
    ]
    if not found:
        return None
    attempt = next((e for e in found if e.name == "assessment_attempted"), None)
    review = next((e for e in found if e.name == "concept_reviewed"), None)
    event = EvidenceRetracted(
        practitioner_id=practitioner_id,
        source_statement_id=source_statement_id,
        voiding_statement_id=voiding_statement_id,
        retracted_event_ids=[str(e.event_id) for e in found],
        attempt_id=attempt.data["attempt_id"] if attempt else None,
        module_id=attempt.data["module_id"] if attempt else None,
        concept_id=review.data["concept_id"] if review and not attempt else None,
        reviewed_at=review.data["reviewed_at"] if review and not attempt else None,
        retracted_at=retracted_at,
    )
    catalog = learning.catalogs.get(learner.state.catalog_version)
    after = evolve(learner.state, event, catalog, learning.review_policy)
    changes: list[TimedEvent] = [(event, retracted_at)]
    remastered = _next_mastery(after, event, catalog, stream)
    if remastered is not None:
        changes.append((remastered, remastered.mastered_at))
        after = evolve(after, remastered, catalog, learning.review_policy)
    # a voided mastery or review can remove (or move) the lapses the history implies
    lapse_events = await reconciled_lapses(
        learning, conn, learner.stream_id, after, catalog, learning.clock()
    )
    async with writing(conn):
        await append_to_learner(
            learning,
            conn,
            learner,
            [
                pending_event(
                    change,
                    agency_id=agency_id,
                    subject=practitioner_id,
                    actor=actor,
                    occurred_at=occurred_at,
                    source_statement_id=voiding_statement_id,
                )
                for change, occurred_at in [*changes, *lapse_events]
            ],
        )
        await conn.execute(
            "DELETE FROM attempts WHERE agency_id = $1 AND practitioner_id = $2"
            " AND source_statement_id = $3",
            agency_id,
            practitioner_id,
            source_statement_id,
        )
        await conn.execute(
            "DELETE FROM concept_reviews WHERE agency_id = $1 AND practitioner_id = $2"
            " AND source_statement_id = $3",
            agency_id,
            practitioner_id,
            source_statement_id,
        )
        for change, _ in lapse_events:
            after = evolve(after, change, catalog, learning.review_policy)
        gone = set(learner.state.cards) - set(after.cards)
        if gone:
            await conn.execute(
                "DELETE FROM review_cards WHERE agency_id = $1 AND practitioner_id = $2"
                " AND concept_id = ANY($3::text[])",
                agency_id,
                practitioner_id,
                sorted(gone),
            )
        await sync_lapsed_cards(conn, agency_id, after, catalog)
    return event


def _next_mastery(
    after: LearnerState, event: EvidenceRetracted, catalog: Catalog, stream: list[StoredEvent]
) -> ModuleMastered | None:
    """When the voided attempt was the module's mastery, the next earliest passing attempt
    masters it: the mastery is the earliest passing attempt still standing."""
    if event.module_id is None:
        return None
    progress = after.progress.module(event.module_id)
    if progress is None or progress.mastery is not None:
        return None
    attempt = earliest_passing(progress)
    if attempt is None:
        return None
    recorded = next(
        (
            e
            for e in stream
            if e.name == "assessment_attempted" and e.data["attempt_id"] == attempt.attempt_id
        ),
        None,
    )
    module = catalog.module(event.module_id)
    return ModuleMastered(
        practitioner_id=after.practitioner_id,
        module_id=module.id,
        module_order=module.order,
        mastered_at=attempt.attempted_at,
        previous_module_mastered=previous_mastered_by(
            after.progress, catalog, module.id, attempt.attempted_at
        ),
        attempt_id=attempt.attempt_id,
        source_statement_id=recorded.data.get("source_statement_id") if recorded else None,
    )
