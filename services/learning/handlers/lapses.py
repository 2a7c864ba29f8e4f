"""The periodic lapse check: announce each newly lapsed concept exactly once.

Time, not a request, makes a concept lapse, so a periodic job calls
:func:`check_lapses` with the real time; tests call it with any clock. The projection
`review_cards` narrows the search to practitioners with a card overdue past the grace
and not yet announced; each of them is then decided on their full, locked stream, so
repeated or concurrent checks announce a lapse once and only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import structlog

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import append_to_learner, load_learner, lock_learner
from services.learning.domain.events import ConceptLapsed
from services.learning.domain.learner import decide_lapses, evolve
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.recorded import pending_event
from shared.events import DomainEvent
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
        lapses = decide_lapses(learner.state, now, learning.review_policy)
        if not lapses:
            return []
        module_of = {
            lapse.concept_id: catalog.module_of_concept(lapse.concept_id).id for lapse in lapses
        }
        events: list[DomainEvent] = [
            ConceptLapsed(
                practitioner_id=practitioner_id,
                concept_id=lapse.concept_id,
                module_id=module_of[lapse.concept_id],
                lapsed_on=lapse.lapsed_at.date(),
                due_at=lapse.episode.due,
            )
            for lapse in lapses
        ]
        await append_to_learner(
            learning,
            conn,
            learner,
            [
                pending_event(
                    event,
                    agency_id=agency_id,
                    subject=practitioner_id,
                    actor=f"{agency_id}/{LAPSE_CHECK_ACTOR}",
                    occurred_at=lapse.lapsed_at,
                )
                for event, lapse in zip(events, lapses, strict=True)
            ],
        )
        state = learner.state
        for event in events:
            state = evolve(state, event, catalog, learning.review_policy)
        await projections.sync_cards(conn, agency_id, state, module_of, module_of)
    return [
        AnnouncedLapse(agency_id, practitioner_id, lapse.concept_id, lapse.lapsed_at.date())
        for lapse in lapses
    ]


async def lapse_check_job(runtime: Runtime) -> None:
    """The periodic job: the check at the real time."""
    announced = await check_lapses(runtime, now=now_utc())
    if announced:
        log.info("concepts_lapsed", count=len(announced))
