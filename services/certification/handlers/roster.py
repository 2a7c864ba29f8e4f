"""Registering a practitioner on the agency's roster (the program start counts tenure).

`practitioner_registered` is published so the other services can keep a local copy;
the same fact enters the evidence as the practitioner's enrollment. Registering again
with the registration's content is a harmless repeat (even after later changes); with
different content it is a conflict: later details go through a change
(`roster_lifecycle`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from services.certification.adapters import locks, roster_rows
from services.certification.adapters.evidence_rows import RosterEntry
from services.certification.adapters.projector import project
from services.certification.domain.events import PractitionerRegistered
from services.certification.domain.evidence import PractitionerEnrolled
from services.certification.domain.vocabulary import Role
from services.certification.handlers.intake import record_new_evidence
from shared.auth import Principal
from shared.database import Connection
from shared.envelope import event_type
from shared.events import PendingEvent
from shared.eventstore import ConcurrencyConflict, EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime
from shared.problems import Conflict
from shared.service import Runtime

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


async def register_practitioner(
    runtime: Runtime,
    principal: Principal,
    command: RegisterPractitioner,
    today: date,
    answer: Callable[[Connection], Awaitable[R]],
) -> tuple[R, bool]:
    """`answer` read in the registering transaction (no second connection), and whether
    this call created the entry."""
    async with runtime.store.transaction() as conn:
        _, created = await _register_in(conn, runtime.store, principal, command, today)
        return await answer(conn), created


async def _register_in(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    command: RegisterPractitioner,
    today: date,
) -> tuple[RosterEntry, bool]:
    agency_id, practitioner_id = principal.agency_id, command.practitioner_id
    await locks.share_agency_own_practitioners(conn, agency_id, [practitioner_id])
    requested = RosterEntry(
        agency_id=agency_id,
        practitioner_id=practitioner_id,
        role=command.role,
        program_start=command.program_start,
        coach_id=command.coach_id,
        supervisor_id=command.supervisor_id,
        team_id=command.team_id,
    )
    try:
        # a new practitioner's stream is new: no look-up first; the append refuses a
        # known one without failing the transaction, which then answers the repeat
        [stored] = await store.append(
            conn,
            roster_stream(agency_id, practitioner_id),
            [
                PendingEvent(
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
            ],
            expected_version=0,
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
        return known, False
    await project(conn, [stored])
    enrollment = PractitionerEnrolled(
        event_id=str(stored.event_id),
        practitioner_id=practitioner_id,
        occurred_on=command.program_start,
        role=command.role,
        coach_id=command.coach_id,
    )
    source_type = event_type("certification", stored.name, stored.schema_version)
    # the locks are held, the enrollment's id is the event just appended, the roster
    # entry was just projected: none of `receive_evidence`'s checks can find anything
    await record_new_evidence(
        conn,
        store,
        agency_id,
        enrollment,
        source="certification",
        source_type=source_type,
        today=today,
        actor=principal.actor,
        just_registered=True,
    )
    return requested, True
