"""A practitioner's roster lifecycle after registration: details changed, left, returned.

Each request appends one dated, published event to the practitioner's roster stream
(its CloudEvent ``time`` is the effective date), projects it, and, when it matters to
certification (role, coach, program start, leaving, return), enters the evidence and
re-evaluates, all in one transaction. A client ``id`` makes a retry safe: the same id
with the same content answers again, with other content it is a conflict.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from services.certification.adapters import locks, roster_rows
from services.certification.adapters.projector import project
from services.certification.domain.events import (
    PractitionerDetailsChanged,
    PractitionerLeft,
    PractitionerReturned,
)
from services.certification.domain.evidence import (
    Evidence,
    RosterDetailsChanged,
)
from services.certification.domain.evidence import (
    PractitionerLeft as LeftEvidence,
)
from services.certification.domain.evidence import (
    PractitionerReturned as ReturnedEvidence,
)
from services.certification.domain.roster import (
    EVIDENCE_FIELDS,
    RosterRefused,
    RosterStanding,
    check_leaving,
    check_return,
    plan_change,
)
from services.certification.handlers.evaluation import refresh
from services.certification.handlers.intake import receive_evidence
from services.certification.handlers.roster import roster_stream
from shared.auth import Principal
from shared.database import Connection
from shared.events import DomainEvent, PendingEvent, StoredEvent
from shared.eventstore import EventStore
from shared.idempotency import ensure_same_content, fingerprint
from shared.practice_time import as_practice_datetime
from shared.problems import Conflict, NotFound, Unprocessable
from shared.service import Runtime


@dataclass(frozen=True)
class ChangeDetails:
    """``requested``: only the fields the caller sent (None clears coach, supervisor, team)."""

    practitioner_id: str
    effective_on: date
    requested: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordLeaving:
    practitioner_id: str
    effective_on: date
    reason: str | None = None


@dataclass(frozen=True)
class RecordReturn:
    practitioner_id: str
    effective_on: date


LifecycleCommand = ChangeDetails | RecordLeaving | RecordReturn


async def record_lifecycle(
    runtime: Runtime,
    principal: Principal,
    command: LifecycleCommand,
    client_id: uuid.UUID | None,
    today: date,
) -> bool:
    """Record the command; True when this call recorded it, False for a faithful repeat."""
    content_hash = fingerprint(type(command).__name__, command)
    async with runtime.store.transaction() as conn:
        agency_id = principal.agency_id
        await locks.share_agency(conn, agency_id)
        await locks.own_practitioners(conn, agency_id, [command.practitioner_id])
        if client_id is not None:
            earlier = await roster_rows.recorded_request(conn, agency_id, client_id)
            if earlier is not None:
                ensure_same_content(
                    f"roster request {client_id}", earlier["content_hash"], content_hash
                )
                return False
        standing = await roster_rows.standing(conn, agency_id, command.practitioner_id)
        if standing is None:
            raise NotFound(f"no practitioner {command.practitioner_id} on this agency's roster")
        try:
            event = _event_for(command, standing)
        except RosterRefused as refused:
            raise (Conflict if refused.conflict else Unprocessable)(refused.detail) from refused
        metadata = {
            "client_id": str(client_id) if client_id else None,
            "content_hash": content_hash,
        }
        [stored] = await runtime.store.append(
            conn,
            roster_stream(agency_id, command.practitioner_id),
            [
                PendingEvent(
                    event=event,
                    agency_id=agency_id,
                    subject=command.practitioner_id,
                    occurred_at=as_practice_datetime(command.effective_on),
                    actor=principal.actor,
                    metadata=metadata,
                )
            ],
            expected_version=None,  # the practitioner's lock orders roster writes
        )
        try:
            await project(conn, [stored])
        except asyncpg.UniqueViolationError as taken:
            # the same client id raced in for another practitioner (under another lock)
            raise Conflict(
                f"roster request {client_id} already exists with different content; "
                "use a new id for a new request"
            ) from taken
        item = _evidence_for(stored, event)
        if item is not None:
            await _evaluate_with(conn, runtime.store, stored, item, today, principal.actor)
    return True


def _event_for(command: LifecycleCommand, standing: RosterStanding) -> DomainEvent:
    """The roster event the command records, or RosterRefused when it cannot be taken."""
    if isinstance(command, ChangeDetails):
        details, changed = plan_change(standing, command.effective_on, command.requested)
        return PractitionerDetailsChanged(
            practitioner_id=command.practitioner_id,
            effective_on=command.effective_on,
            changed=list(changed),
            role=details.role,
            coach_id=details.coach_id,
            supervisor_id=details.supervisor_id,
            team_id=details.team_id,
            program_start=details.program_start,
        )
    if isinstance(command, RecordLeaving):
        check_leaving(standing, command.effective_on)
        return PractitionerLeft(
            practitioner_id=command.practitioner_id,
            effective_on=command.effective_on,
            reason=command.reason,
        )
    check_return(standing, command.effective_on)
    return PractitionerReturned(
        practitioner_id=command.practitioner_id, effective_on=command.effective_on
    )


def _evidence_for(stored: StoredEvent, event: DomainEvent) -> Evidence | None:
    """What certification's own evaluation takes from the roster event (None: nothing)."""
    common = {"event_id": str(stored.event_id), "practitioner_id": stored.data["practitioner_id"]}
    if isinstance(event, PractitionerDetailsChanged):
        relevant = tuple(name for name in event.changed if name in EVIDENCE_FIELDS)
        if not relevant:
            return None  # a supervisor or team change places them, it is not evidence
        return RosterDetailsChanged(
            **common,
            occurred_on=event.effective_on,
            changed=relevant,
            role=event.role,
            coach_id=event.coach_id,
            program_start=event.program_start,
        )
    if isinstance(event, PractitionerLeft):
        return LeftEvidence(**common, occurred_on=event.effective_on)
    if isinstance(event, PractitionerReturned):
        return ReturnedEvidence(**common, occurred_on=event.effective_on)
    return None


async def _evaluate_with(
    conn: Connection,
    store: EventStore,
    stored: StoredEvent,
    item: Evidence,
    today: date,
    actor: str | None,
) -> None:
    evaluated = await receive_evidence(
        conn,
        store,
        stored.agency_id,
        item,
        source="certification",
        source_type=stored.to_cloudevent("certification").type,
        today=today,
        actor=actor,
    )
    if evaluated is None:  # only if the item was somehow known already
        await refresh(conn, store, stored.agency_id, item.practitioner_id, today, actor=actor)
