"""A practitioner's learner stream: serialise writers, read and fold it, append to it.

All of one practitioner's learning lives in one stream, so every decision (mastery
order, card schedule, lapse announced once) is made on the whole, current history.
Writers take a transaction-scoped advisory lock on the stream first: concurrent
requests for the same practitioner queue instead of failing, and the lapse check can
never announce a lapse twice even when two replicas run it at once. A REST attempt of one
event appends without the lock (`append_alone_to_learner`): its append stores nothing
unless the stream is still at the version it was decided on, and it is decided again
under the lock otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from services.learning.adapters.folded_learners import FoldedLearner, FoldedLearners
from services.learning.domain.catalog_book import CatalogBook
from services.learning.domain.events import registry
from services.learning.domain.learner import LearnerState, replay_learner
from services.learning.domain.review import ReviewPolicy
from shared import naming
from shared.database import Connection
from shared.events import PendingEvent, StoredEvent
from shared.eventstore import EventStore
from shared.projected import Projected
from shared.roster import on_roster_of, require_on_roster
from shared.transactions import AdvisoryLock, take_lock


class LearnerSources(Protocol):
    """What reading and folding a stream takes (the handlers' `LearningContext` has it)."""

    @property
    def store(self) -> EventStore: ...
    @property
    def catalogs(self) -> CatalogBook: ...
    @property
    def folded(self) -> FoldedLearners: ...
    @property
    def review_policy(self) -> ReviewPolicy: ...


# the roster check read with the stream ($1, $2): agency, day, the practitioner's id
_ON_ROSTER = on_roster_of(3)


def learner_stream_id(agency_id: str, practitioner_id: str) -> str:
    return naming.stream_id("learner", agency_id, practitioner_id)


@dataclass(frozen=True)
class LoadedLearner:
    agency_id: str
    practitioner_id: str
    state: LearnerState | None  # None: not enrolled
    version: int

    @property
    def stream_id(self) -> str:
        return learner_stream_id(self.agency_id, self.practitioner_id)


def learner_lock(agency_id: str, practitioner_id: str) -> AdvisoryLock:
    """The practitioner's write lock (a transaction may begin holding it)."""
    return AdvisoryLock(learner_stream_id(agency_id, practitioner_id))


async def lock_learner(conn: Connection, agency_id: str, practitioner_id: str) -> None:
    """Hold the practitioner's write lock until the caller's transaction ends."""
    await take_lock(conn, learner_lock(agency_id, practitioner_id))


async def load_learner(
    learning: LearnerSources,
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    *,
    on_roster: date | None = None,
) -> LoadedLearner:
    """The practitioner's learner state, folded on from the state last folded here.

    `on_roster`: a write's check that the practitioner is on the roster on that day,
    read with the stream in one round trip; refused as `require_on_roster` refuses."""
    stream_id = learner_stream_id(agency_id, practitioner_id)
    cached = learning.folded.get(stream_id)
    state: LearnerState | None
    if on_roster is not None:
        events, on = await learning.store.read_stream_checking(
            conn,
            stream_id,
            1 if cached is None else cached.version,
            _ON_ROSTER,
            agency_id,
            on_roster,
            practitioner_id,
        )
        if not on:  # the refusal, naming why
            await require_on_roster(conn, agency_id, [practitioner_id], on_roster)
    if cached is not None:
        if on_roster is None:
            events = await learning.store.read_stream(stream_id, conn, from_version=cached.version)
        if events and events[0].event_id == cached.tip_event_id:
            state = _fold(learning, events[1:], start=cached.state)
        else:
            events = await learning.store.read_stream(stream_id, conn)
            state = _fold(learning, events)
    else:
        if on_roster is None:
            events = await learning.store.read_stream(stream_id, conn)
        state = _fold(learning, events)
    if events:
        tip = events[-1]
        learning.folded.put(stream_id, FoldedLearner(tip.stream_version, tip.event_id, state))
        version = tip.stream_version
    else:
        version = 0
    return LoadedLearner(
        agency_id=agency_id, practitioner_id=practitioner_id, state=state, version=version
    )


async def load_learners(
    learning: LearnerSources, agency_id: str, practitioner_ids: Sequence[str]
) -> dict[str, LearnerState]:
    """The enrolled ones among `practitioner_ids`, read in one query."""
    stream_ids = {learner_stream_id(agency_id, p): p for p in practitioner_ids}
    streams = await learning.store.read_streams(list(stream_ids))
    learners: dict[str, LearnerState] = {}
    for stream_id, events in streams.items():
        state = _fold(learning, events)
        if state is not None:
            learners[stream_ids[stream_id]] = state
    return learners


async def append_to_learner(
    learning: LearnerSources,
    conn: Connection,
    learner: LoadedLearner,
    events: Sequence[PendingEvent],
    projected: Projected | None = None,
) -> list[StoredEvent]:
    """Append after the version the decision was made on (the lock makes it hold);
    `projected`: the projection row the append's statement writes with the events."""
    return await learning.store.append(
        conn, learner.stream_id, events, expected_version=learner.version, projected=projected
    )


async def append_alone_to_learner(
    learning: LearnerSources,
    conn: Connection,
    learner: LoadedLearner,
    events: Sequence[PendingEvent],
    projected: Projected | None = None,
) -> list[StoredEvent]:
    """`append_to_learner` for a writer outside any transaction that does not hold the
    learner's lock: its one statement commits by itself when the stream is still at the
    version the decision was made on (`EventStore.append_alone`), and otherwise raises
    `ConcurrencyConflict` having stored nothing."""
    return await learning.store.append_alone(
        conn, learner.stream_id, events, expected_version=learner.version, projected=projected
    )


def remember_learner(
    learning: LearnerSources,
    learner: LoadedLearner,
    stored: Sequence[StoredEvent],
    state: LearnerState,
) -> None:
    """Cache `state`, the learner after `stored` (this transaction's append, folded by
    the writer onto the state it loaded), so the next write reads and folds only what
    follows. Trusted like any entry: only while its tip is what a later reader sees."""
    if stored:
        tip = stored[-1]
        learning.folded.put(
            learner.stream_id, FoldedLearner(tip.stream_version, tip.event_id, state)
        )


def _fold(
    learning: LearnerSources,
    events: Sequence[StoredEvent],
    start: LearnerState | None = None,
) -> LearnerState | None:
    return replay_learner(
        (registry.decode_stored(e) for e in events),
        learning.catalogs.get,
        learning.review_policy,
        start,
    )
