"""Registering a practitioner on the agency's roster (the program start counts tenure).

`practitioner_registered` is published so the other services can keep a local copy;
the same fact enters the evidence as the practitioner's enrollment. Registering again
with the registration's content is a harmless repeat (even after later changes); with
different content it is a conflict: later details go through a change
(`roster_lifecycle`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from services.certification.adapters import locks, registration_rows, roster_rows
from services.certification.adapters.evidence_rows import RosterEntry
from services.certification.domain.events import PractitionerRegistered
from services.certification.domain.evidence import PractitionerEnrolled
from services.certification.domain.vocabulary import Role
from services.certification.handlers.evaluation import Evaluated, refresh
from services.certification.handlers.intake import evidence_received, evidence_stream
from shared.auth import Principal
from shared.database import Connection
from shared.envelope import event_type
from shared.events import PendingEvent, StoredEvent
from shared.eventstore import ConcurrencyConflict, EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime
from shared.problems import Conflict
from shared.service import Runtime
from shared.stream_appends import StreamAppend
from shared.transactions import locked_transaction

R = TypeVar("R")


@dataclass(frozen=True)
class RegisterPractitioner:
    practitioner_id: str
    role: Role
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None = None


def roster_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("practitioner", agency_id, practitioner_id)


@dataclass(frozen=True)
class NewRegistration:
    """What registering a new practitioner stored: the entry, the registration event (its
    history row copies it) and the evaluation stored with it."""

    entry: RosterEntry
    registered: StoredEvent
    evaluated: Evaluated


async def register_practitioner(
    runtime: Runtime,
    principal: Principal,
    command: RegisterPractitioner,
    today: date,
    repeat: Callable[[Connection], Awaitable[R]],
) -> NewRegistration | R:
    """The new registration, or for a harmless repeat `repeat` read in the registering
    transaction (no second connection)."""
    async with _registering(runtime, principal.agency_id, command.practitioner_id) as conn:
        registration = await _register_in(conn, runtime.store, principal, command, today)
        if registration is None:
            return await repeat(conn)
        return registration


@asynccontextmanager
async def _registering(
    runtime: Runtime, agency_id: str, practitioner_id: str
) -> AsyncIterator[Connection]:
    """The registration's transaction, holding the agency's lock shared and the
    practitioner's: begun with them (one round trip), or, inside a batch's transaction
    (a roster import), a savepoint that takes them."""
    async with runtime.store.pool.acquire() as conn:
        if conn.is_in_transaction():
            async with conn.transaction():
                await locks.share_agency_own_practitioners(conn, agency_id, [practitioner_id])
                yield conn
            return
        held = await locks.registration_locks(runtime, agency_id, practitioner_id)
        # a registration's statements are each driven by the practitioner's keys: planned
        # once per connection, not at every registration (shared/transactions.py)
        async with locked_transaction(conn, held, generic_plans=True):
            yield conn


async def _register_in(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    command: RegisterPractitioner,
    today: date,
) -> NewRegistration | None:
    """For a caller holding the agency's lock shared and the practitioner's: three round
    trips for a new practitioner, the two appends (registration, enrollment) in one
    statement, one statement projecting both and reading what the evaluation needs, and the
    evaluation's statuses (more only when the evaluation has news to publish)."""
    agency_id, practitioner_id = principal.agency_id, command.practitioner_id
    requested = RosterEntry(
        agency_id=agency_id,
        practitioner_id=practitioner_id,
        role=command.role,
        program_start=command.program_start,
        coach_id=command.coach_id,
        supervisor_id=command.supervisor_id,
        team_id=command.team_id,
    )
    registration = PendingEvent(
        event=PractitionerRegistered(
            practitioner_id=practitioner_id,
            role=command.role,
            program_start=command.program_start,
            coach_id=command.coach_id,
            supervisor_id=command.supervisor_id,
            team_id=command.team_id,
        ),
        agency_id=agency_id,
        subject=practitioner_id,
        occurred_at=as_practice_datetime(command.program_start),
        actor=principal.actor,
    )
    # the registration enters the evidence as the practitioner's enrollment: an item no
    # one can have sent before (its id is the registration event's)
    enrollment = PractitionerEnrolled(
        event_id=str(registration.event_id),
        practitioner_id=practitioner_id,
        occurred_on=command.program_start,
        role=command.role,
        coach_id=command.coach_id,
    )
    source_type = event_type("certification", registration.event.name, registration.event.version)
    try:
        # a new practitioner's stream is new: no look-up first; both appends go in one
        # statement, which refuses a known stream without failing the transaction, which
        # then answers the repeat
        [[registered], [enrolled]] = await store.append_each(
            conn,
            [
                StreamAppend(
                    roster_stream(agency_id, practitioner_id), [registration], expected_version=0
                ),
                StreamAppend(
                    evidence_stream(agency_id, practitioner_id),
                    [
                        evidence_received(
                            agency_id,
                            enrollment,
                            source="certification",
                            source_type=source_type,
                            actor=principal.actor,
                        )
                    ],
                    expected_version=None,
                ),
            ],
        )
    except ConcurrencyConflict:
        known = await roster_rows.registration(conn, agency_id, practitioner_id)
        if known is None:
            raise
        if known != requested:
            raise Conflict(
                f"practitioner {practitioner_id} is already registered with other details; "
                "send the same details to repeat the request"
            ) from None
        return None
    inputs = await registration_rows.store_registration(conn, registered, enrolled)
    # evidence that came before the registration (kept until it) counts from now on;
    # nothing is announced: only registered practitioners are evaluated
    evidence = inputs.evidence[practitioner_id].with_items(enrollment)
    evaluated = await refresh(
        conn,
        store,
        agency_id,
        practitioner_id,
        today,
        evidence=evidence,
        announced=[],
        actor=principal.actor,
        inputs=inputs,
    )
    return NewRegistration(entry=requested, registered=registered, evaluated=evaluated)
