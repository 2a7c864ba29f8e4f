"""Evidence intake: one item, from an upstream event or an admin action, into the log.

Each item is appended as an `evidence_received` event (so the evidence projection is
rebuilt from certification's own log), projected, and the practitioner re-evaluated,
all in the caller's transaction. The item is keyed by its source event id: the same
id twice changes nothing, whatever the delivery order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import structlog

from services.certification.adapters import evidence_rows, locks
from services.certification.adapters.projector import project
from services.certification.domain.calibrations import Calibration
from services.certification.domain.events import EvidenceReceived, EvidenceRetracted
from services.certification.domain.evidence import Evidence
from services.certification.domain.intake import (
    ContractViolation,
    Retraction,
    calibration_from_event,
    evidence_from_event,
    retraction_from_event,
)
from services.certification.handlers.calibrations import (
    practitioners_moved_by,
    receive_calibration,
)
from services.certification.handlers.evaluation import Evaluated, refresh, refresh_many
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime

log = structlog.get_logger(__name__)

# evidence_received ids derive from the source event id: one item, one event, ever
EVIDENCE_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-4c59-9a7e-2b0d5e8f1c31")


def evidence_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("evidence", agency_id, practitioner_id)


async def receive_evidence(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    item: Evidence,
    *,
    source: str,
    source_type: str,
    today: date,
    actor: str | None = None,
    evaluate: bool = True,
) -> Evaluated | None:
    """Record ``item`` and re-evaluate its practitioner; None when it was already known.

    With ``evaluate=False`` the caller re-evaluates later in the same transaction (a
    consumer batch re-evaluates each practitioner it touched once, see `refresh_batch`).
    """
    practitioner_id = item.practitioner_id
    await locks.share_agency(conn, agency_id)
    await locks.own_practitioners(conn, agency_id, [practitioner_id])
    if await evidence_rows.has_evidence(conn, agency_id, practitioner_id, item.event_id):
        return None
    if await evidence_rows.is_retracted(conn, agency_id, item.event_id):
        return None  # its source took it back before it arrived
    return await record_new_evidence(
        conn,
        store,
        agency_id,
        item,
        source=source,
        source_type=source_type,
        today=today,
        actor=actor,
        evaluate=evaluate,
    )


def evidence_received(
    agency_id: str, item: Evidence, *, source: str, source_type: str, actor: str | None
) -> PendingEvent:
    """The `evidence_received` event of an item; its id derives from the item's source
    event id (one item, one event, ever)."""
    return PendingEvent(
        event=EvidenceReceived(
            practitioner_id=item.practitioner_id,
            source=source,
            source_type=source_type,
            item=item.model_dump(mode="json"),
        ),
        agency_id=agency_id,
        subject=item.practitioner_id,
        occurred_at=as_practice_datetime(item.occurred_on),
        actor=actor,
        event_id=uuid.uuid5(EVIDENCE_NAMESPACE, f"{agency_id}/{item.event_id}"),
    )


async def record_new_evidence(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    item: Evidence,
    *,
    source: str,
    source_type: str,
    today: date,
    actor: str | None = None,
    evaluate: bool = True,
) -> Evaluated | None:
    """`receive_evidence` after its checks: for a caller holding the agency's and the
    practitioner's locks, with an item no one can have sent before (its id was minted in
    this transaction)."""
    practitioner_id = item.practitioner_id
    stored = await store.append(
        conn,
        evidence_stream(agency_id, practitioner_id),
        [evidence_received(agency_id, item, source=source, source_type=source_type, actor=actor)],
        expected_version=None,
    )
    await project(conn, stored)
    if not evaluate:
        return None
    if not await evidence_rows.roster_entry(conn, agency_id, practitioner_id):
        return None  # kept until the practitioner is registered; only the roster is evaluated
    return await refresh(conn, store, agency_id, practitioner_id, today, actor=actor)


async def receive_upstream_event(
    conn: Connection, store: EventStore, event: CloudEvent, today: date, evaluate: bool = True
) -> None:
    """A consumer's handler: translate the CloudEvent and take in its evidence (or the
    retraction of evidence, or an observer's calibration), if any."""
    try:
        item = evidence_from_event(event.service, event.event_name, event.id, event.data)
        retraction = retraction_from_event(event.service, event.event_name, event.data)
        calibration = calibration_from_event(event.service, event.event_name, event.data)
    except ContractViolation as violation:
        await _reject(conn, event, str(violation))
        return
    if calibration is not None:
        await _take_calibration(conn, store, event, calibration, today, evaluate=evaluate)
        return
    if retraction is not None:
        await retract_evidence(conn, store, event, retraction, today, evaluate=evaluate)
        return
    if item is None:
        return
    await receive_evidence(
        conn,
        store,
        event.agencyid,
        item,
        source=event.service,
        source_type=event.type,
        today=today,
        actor=event.actor,
        evaluate=evaluate,
    )


async def retract_evidence(
    conn: Connection,
    store: EventStore,
    event: CloudEvent,
    retraction: Retraction,
    today: date,
    *,
    evaluate: bool = True,
) -> Evaluated | None:
    """Record that the items keyed by `retraction.event_ids` no longer count (whether or
    not they have arrived yet) and re-evaluate the practitioner; once per retraction."""
    agency_id, practitioner_id = event.agencyid, retraction.practitioner_id
    await locks.share_agency(conn, agency_id)
    await locks.own_practitioners(conn, agency_id, [practitioner_id])
    event_id = uuid.uuid5(EVIDENCE_NAMESPACE, f"{agency_id}/retraction/{event.id}")
    if await conn.fetchval("SELECT true FROM events WHERE event_id = $1", event_id):
        return None  # this retraction was taken in already
    stored = await store.append(
        conn,
        evidence_stream(agency_id, practitioner_id),
        [
            PendingEvent(
                event=EvidenceRetracted(
                    practitioner_id=practitioner_id,
                    source=event.service,
                    source_type=event.type,
                    retraction_id=event.id,
                    event_ids=list(retraction.event_ids),
                ),
                agency_id=agency_id,
                subject=practitioner_id,
                occurred_at=event.time,
                actor=event.actor,
                event_id=event_id,
            )
        ],
        expected_version=None,
    )
    await project(conn, stored)
    if not evaluate or await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is None:
        return None
    return await refresh(conn, store, agency_id, practitioner_id, today, actor=event.actor)


async def _take_calibration(
    conn: Connection,
    store: EventStore,
    event: CloudEvent,
    calibration: Calibration,
    today: date,
    *,
    evaluate: bool,
) -> None:
    """Store a calibration and (unless the batch does it) re-evaluate whom it may move."""
    agency_id = event.agencyid
    await locks.share_agency(conn, agency_id)
    moved = await practitioners_moved_by(conn, agency_id, calibration)
    await locks.own_practitioners(conn, agency_id, moved)
    if not await receive_calibration(conn, store, event, calibration) or not evaluate:
        return
    for practitioner_id in moved:
        if await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is not None:
            await refresh(conn, store, agency_id, practitioner_id, today, actor=event.actor)


# what an upstream event carries: an evidence item, a retraction, a calibration (or none)
UpstreamParts = tuple[Evidence | None, Retraction | None, Calibration | None]
# how a batch's events are parsed (`upstream_parts`, or a batch's memo of it)
PartsOf = Callable[[CloudEvent], UpstreamParts]


def upstream_parts(event: CloudEvent) -> UpstreamParts:
    """The event's evidence, retraction and calibration; `ContractViolation` if its
    payload breaks the contract."""
    return (
        evidence_from_event(event.service, event.event_name, event.id, event.data),
        retraction_from_event(event.service, event.event_name, event.data),
        calibration_from_event(event.service, event.event_name, event.data),
    )


async def _evidence_owners(
    conn: Connection, event: CloudEvent, parts_of: PartsOf
) -> list[tuple[str, str]]:
    """(agency, practitioner) pairs an upstream event is evidence (or a retraction) of, or
    that a calibration may move (those its observer observed on its instrument family)."""
    try:
        item, retraction, calibration = parts_of(event)
    except ContractViolation:
        return []
    agency_id = event.agencyid
    if calibration is not None:
        moved = await practitioners_moved_by(conn, agency_id, calibration)
        return [(agency_id, practitioner_id) for practitioner_id in moved]
    if retraction is not None:
        return [(agency_id, retraction.practitioner_id)]
    return [] if item is None else [(agency_id, item.practitioner_id)]


async def lock_batch(
    conn: Connection, events: list[CloudEvent], parts_of: PartsOf = upstream_parts
) -> None:
    """Take every lock a batch needs up front, agencies then practitioners, in one order,
    so two consumers' batches (and the clock, and admin writes) never deadlock.

    A calibration locks the practitioners its observer observed on that instrument
    family; an observation arriving in the same batch locks its own practitioner, and
    observations arrive only through this (fidelity's) consumer."""
    owners: dict[str, set[str]] = {}
    for event in events:
        for agency_id, practitioner_id in await _evidence_owners(conn, event, parts_of):
            owners.setdefault(agency_id, set()).add(practitioner_id)
    for agency_id in sorted(owners):  # the agency's and its practitioners' in one round trip
        await locks.share_agency_own_practitioners(conn, agency_id, owners[agency_id])


async def refresh_batch(
    conn: Connection,
    store: EventStore,
    events: list[CloudEvent],
    today: date,
    parts_of: PartsOf = upstream_parts,
) -> None:
    """Re-evaluate once each registered practitioner the batch brought evidence for,
    attributing what it publishes to the actor of that practitioner's latest event."""
    actors: dict[str, dict[str, str | None]] = {}
    for event in events:
        for agency_id, practitioner_id in await _evidence_owners(conn, event, parts_of):
            actors.setdefault(agency_id, {})[practitioner_id] = event.actor
    for agency_id in sorted(actors):
        # evidence of someone not registered is kept until the practitioner is
        registered = await evidence_rows.registered_among(conn, agency_id, actors[agency_id])
        await refresh_many(
            conn, store, agency_id, sorted(registered), today, actors=actors[agency_id]
        )


async def _reject(conn: Connection, event: CloudEvent, error: str) -> None:
    log.warning("evidence_rejected", event_id=event.id, type=event.type, error=error)
    payload: dict[str, Any] = event.model_dump(mode="json")
    await conn.execute(
        """
        INSERT INTO rejected_evidence (event_id, agency_id, source_type, error, payload)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
        """,
        event.id,
        event.agencyid,
        event.type,
        error,
        payload,
    )
