"""The periodic lapse check: announce the lapses that time alone brought, exactly once.

Lapses a review history implies are announced by the write that records it (see
lapse_announcements.py); what is left for the clock is a card whose lapse moment
passes with no new record. A periodic job calls :func:`check_lapses` with the real
time; tests call it with any clock. The projection `review_cards` narrows the search
to practitioners with a card overdue past the grace and not yet announced; each of
them is then decided on their full, locked stream, so repeated or concurrent checks
announce a lapse once and only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import structlog

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import (
    LoadedLearner,
    append_to_learner,
    load_learner,
    lock_learner,
)
from services.learning.domain.catalog import Catalog
from services.learning.domain.events import ConceptLapsed
from services.learning.domain.learner import LearnerState, evolve
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.lapse_announcements import TimedEvent, reconciled_lapses
from services.learning.handlers.recorded import pending_event
from shared.database import Connection
from shared.practice_time import now_utc
from shared.service import Runtime

log = structlog.get_logger(__name__)

LAPSE_CHECK_ACTOR = "learning-lapse-check"


@dataclass(frozen=True)
class AnnouncedLapse:
    agency_id: str
    practitioner_id: str
    concept_id: str
    lapsed_on: date


async def check_lapses(runtime: Runtime, *, now: datetime) -> list[AnnouncedLapse]:
    """Append `concept_lapsed` for every concept lapsed at `now` and not yet announced."""
    learning = LEARNING.of(runtime)
    async with learning.pool.acquire() as conn:
        candidates = await queries.lapse_candidates(
            conn, due_before=now - learning.review_policy.lapse_grace
        )
    announced: list[AnnouncedLapse] = []
    for agency_id, practitioner_id in candidates:
        announced.extend(await _check_learner(learning, agency_id, practitioner_id, now))
    return announced


async def _check_learner(
    learning: LearningContext, agency_id: str, practitioner_id: str, now: datetime
) -> list[AnnouncedLapse]:
    async with learning.store.transaction() as conn:
        await lock_learner(conn, agency_id, practitioner_id)
        learner = await load_learner(learning, conn, agency_id, practitioner_id)
        if learner.state is None:
            return []
        catalog = learning.catalogs.get(learner.state.catalog_version)
        events = await reconciled_lapses(
            learning, conn, learner.stream_id, learner.state, catalog, now
        )
        if not events:
            return []
        await append_lapse_events(learning, conn, learner, events, catalog)
    return [
        AnnouncedLapse(agency_id, practitioner_id, event.concept_id, event.lapsed_on)
        for event, _ in events
        if isinstance(event, ConceptLapsed)
    ]


async def append_lapse_events(
    learning: LearningContext,
    conn: Connection,
    learner: LoadedLearner,
    events: list[TimedEvent],
    catalog: Catalog,
) -> None:
    """Append the lapse check's events and mirror the cards they touch."""
    assert learner.state is not None
    await append_to_learner(
        learning,
        conn,
        learner,
        [
            pending_event(
                event,
                agency_id=learner.agency_id,
                subject=learner.practitioner_id,
                actor=f"{learner.agency_id}/{LAPSE_CHECK_ACTOR}",
                occurred_at=occurred_at,
            )
            for event, occurred_at in events
        ],
    )
    state = learner.state
    for event, _ in events:
        state = evolve(state, event, catalog, learning.review_policy)
    await sync_lapsed_cards(conn, learner.agency_id, state, catalog)


async def sync_lapsed_cards(
    conn: Connection, agency_id: str, state: LearnerState, catalog: Catalog
) -> None:
    """Mirror every card's due date and open lapse (what the check scans)."""
    module_of = {c: catalog.module_of_concept(c).id for c in state.cards}
    await projections.sync_cards(conn, agency_id, state, sorted(state.cards), module_of)


async def lapse_check_job(runtime: Runtime) -> None:
    """The periodic job: the check at the real time."""
    announced = await check_lapses(runtime, now=now_utc())
    if announced:
        log.info("concepts_lapsed", count=len(announced))
