"""The coaching streams in the event store: their ids, and loading state to check against.

Stream ids carry the agency (`plan/<agency>/<practitioner>`): practitioner ids are the
agency's own strings, so two agencies may use the same one. `/` cannot occur in an
agency id, so the parts never run together.

- `assignments/<agency>/<practitioner>`: every assignment of one practitioner, so an
  overlap check and the append it allows are serialised by the stream version.
- `plan/<agency>/<practitioner>`: the plan and its goals (one plan per practitioner).
- `<kind>/<agency>/<id>`: one stream per session, rating, peer session, reflection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from services.coaching.domain.assignments import CoachAssignment
from services.coaching.domain.events import registry
from services.coaching.domain.history import assignment_history, plan_state
from services.coaching.domain.plans import CoachingPlan
from shared.auth import Principal
from shared.database import Connection
from shared.events import DomainEvent, PendingEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime
from shared.roster import on_roster_of, require_on_roster
from shared.transactions import AdvisoryLock, take_lock

T = TypeVar("T")

# the roster check read with the streams ($1): agency, day, the practitioner's id
_ON_ROSTER = on_roster_of(2)


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """State folded from a stream, with the version to append against."""

    state: T
    version: int


def assignment_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("assignments", agency_id, practitioner_id)


def plan_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("plan", agency_id, practitioner_id)


def record_stream(kind: str, agency_id: str, record_id: str) -> str:
    return stream_id(kind, agency_id, record_id)


async def load_assignments(
    store: EventStore,
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    *,
    for_change: bool = False,
) -> Loaded[list[CoachAssignment]]:
    """The practitioner's assignment history, locked until commit (see `lock_assignments`)."""
    await lock_assignments(conn, agency_id, practitioner_id, exclusive=for_change)
    stored = await store.read_stream(assignment_stream(agency_id, practitioner_id), conn)
    events = [registry.decode_stored(e) for e in stored]
    return Loaded(assignment_history(events), len(stored))


async def load_plan(
    store: EventStore, conn: Connection, agency_id: str, practitioner_id: str
) -> Loaded[CoachingPlan | None]:
    stored = await store.read_stream(plan_stream(agency_id, practitioner_id), conn)
    events = [registry.decode_stored(e) for e in stored]
    return Loaded(plan_state(events), len(stored))


async def load_assignments_and_plan(
    store: EventStore,
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    *,
    on_roster: date | None = None,
) -> tuple[Loaded[list[CoachAssignment]], Loaded[CoachingPlan | None]]:
    """`load_assignments` (shared lock) and `load_plan` with the two streams in one read.

    `on_roster`: a write's check that the practitioner is on the roster on that day,
    read with the streams; refused as `require_on_roster` refuses."""
    await lock_assignments(conn, agency_id, practitioner_id, exclusive=False)
    assignments_id = assignment_stream(agency_id, practitioner_id)
    plan_id = plan_stream(agency_id, practitioner_id)
    if on_roster is None:
        streams = await store.read_streams([assignments_id, plan_id], conn)
    else:
        streams, on = await store.read_streams_checking(
            conn, [assignments_id, plan_id], _ON_ROSTER, agency_id, on_roster, practitioner_id
        )
        if not on:  # the refusal, naming why
            await require_on_roster(conn, agency_id, [practitioner_id], on_roster)
    assignments = [registry.decode_stored(e) for e in streams[assignments_id]]
    plan = [registry.decode_stored(e) for e in streams[plan_id]]
    return (
        Loaded(assignment_history(assignments), len(assignments)),
        Loaded(plan_state(plan), len(plan)),
    )


def pending(
    event: DomainEvent,
    principal: Principal,
    *,
    subject: str,
    on: date,
    fingerprint: str | None = None,
    private: dict[str, Any] | None = None,
) -> PendingEvent:
    """Wrap ``event`` for the store: tenant, subject, practice time, actor.

    ``private`` (free text people wrote) and the command ``fingerprint`` go into the
    metadata, which is stored with the event and never published.
    """
    metadata: dict[str, Any] = {}
    if fingerprint is not None:
        metadata["fingerprint"] = fingerprint
    if private:
        metadata["private"] = private
    return PendingEvent(
        event=event,
        agency_id=principal.agency_id,
        subject=subject,
        occurred_at=as_practice_datetime(on),
        actor=principal.actor,
        metadata=metadata,
    )


async def lock_assignments(
    conn: Connection, agency_id: str, practitioner_id: str, *, exclusive: bool
) -> None:
    """Serialise assignment changes (exclusive) against records checked on them (shared).

    A session or rating validated against an assignment must not commit beside a
    concurrent change that ends that assignment; the lock lasts to the commit.
    """
    await take_lock(conn, assignments_lock(agency_id, practitioner_id, exclusive=exclusive))


def assignments_lock(agency_id: str, practitioner_id: str, *, exclusive: bool) -> AdvisoryLock:
    """`lock_assignments`' lock, for a transaction to begin holding it."""
    return AdvisoryLock(assignment_stream(agency_id, practitioner_id), shared=not exclusive)
