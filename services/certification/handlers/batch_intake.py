"""A consumer batch taken in together: the evidence of many messages in a few statements.

Per message the consumer only records the inbox row and refuses a payload that breaks
the contract (`check_upstream_event`). At the batch's end (`take_in_batch`, same
transaction, every lock already taken by `lock_batch`) the evidence items are stored
in message order — runs of plain evidence as one known-ids query, one append and one
projection; a retraction or a calibration on its own, after the evidence before it —
then each practitioner the batch touched is evaluated once (`refresh_batch`). The
outcome is the one message-by-message intake gives: the same evidence rows, events
and evaluations.
"""

from __future__ import annotations

import uuid
from datetime import date

from services.certification.adapters import evidence_rows
from services.certification.adapters.projector import project
from services.certification.domain.events import EvidenceReceived
from services.certification.domain.evidence import Evidence
from services.certification.domain.intake import (
    ContractViolation,
    calibration_from_event,
    evidence_from_event,
    retraction_from_event,
)
from services.certification.handlers.intake import (
    EVIDENCE_NAMESPACE,
    evidence_stream,
    receive_upstream_event,
    refresh_batch,
)
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.practice_time import as_practice_datetime


async def check_upstream_event(
    conn: Connection, store: EventStore, event: CloudEvent, today: date
) -> None:
    """The consumer's per-message step: a payload that breaks the contract is rejected
    (kept in `rejected_evidence`); anything else waits for `take_in_batch`."""
    try:
        _parse(event)
    except ContractViolation:
        await receive_upstream_event(conn, store, event, today, evaluate=False)


async def take_in_batch(
    conn: Connection, store: EventStore, events: list[CloudEvent], today: date
) -> None:
    """Store the batch's evidence in message order, then evaluate whom it touched."""
    run: list[tuple[CloudEvent, Evidence]] = []
    for event in events:
        try:
            item, other = _parse(event)
        except ContractViolation:
            continue  # rejected by `check_upstream_event`
        if other:
            await _store_evidence(conn, store, run)
            run = []
            await receive_upstream_event(conn, store, event, today, evaluate=False)
        elif item is not None:
            run.append((event, item))
    await _store_evidence(conn, store, run)
    await refresh_batch(conn, store, events, today)


def _parse(event: CloudEvent) -> tuple[Evidence | None, bool]:
    """The event's evidence item, and whether it is a retraction or a calibration."""
    item = evidence_from_event(event.service, event.event_name, event.id, event.data)
    retraction = retraction_from_event(event.service, event.event_name, event.data)
    calibration = calibration_from_event(event.service, event.event_name, event.data)
    return item, retraction is not None or calibration is not None


async def _store_evidence(
    conn: Connection, store: EventStore, run: list[tuple[CloudEvent, Evidence]]
) -> None:
    """`receive_evidence` (evaluation left to the batch) for many items at once: those
    already known or already retracted are skipped, the others appended and projected."""
    by_agency: dict[str, dict[str, tuple[CloudEvent, Evidence]]] = {}
    for event, item in run:
        by_agency.setdefault(event.agencyid, {}).setdefault(item.event_id, (event, item))
    for agency_id, items in by_agency.items():
        known = await evidence_rows.known_or_retracted(conn, agency_id, list(items))
        streams = [
            (evidence_stream(agency_id, item.practitioner_id), [_received(agency_id, event, item)])
            for event, item in items.values()
            if item.event_id not in known
        ]
        stored = await store.append_streams(conn, streams)
        if stored:
            await project(conn, stored)


def _received(agency_id: str, event: CloudEvent, item: Evidence) -> PendingEvent:
    return PendingEvent(
        event=EvidenceReceived(
            practitioner_id=item.practitioner_id,
            source=event.service,
            source_type=event.type,
            item=item.model_dump(mode="json"),
        ),
        agency_id=agency_id,
        subject=item.practitioner_id,
        occurred_at=as_practice_datetime(item.occurred_on),
        actor=event.actor,
        event_id=uuid.uuid5(EVIDENCE_NAMESPACE, f"{agency_id}/{item.event_id}"),
    )
