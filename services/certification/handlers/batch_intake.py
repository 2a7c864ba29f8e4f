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
from services.certification.adapters.projector import project_evidence_at
from services.certification.domain.events import EvidenceReceived
from services.certification.domain.evidence import Evidence
from services.certification.domain.intake import ContractViolation
from services.certification.handlers.intake import (
    EVIDENCE_NAMESPACE,
    PartsOf,
    UpstreamParts,
    evidence_stream,
    receive_upstream_event,
    refresh_batch,
    upstream_parts,
)
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.practice_time import as_practice_datetime


class BatchParts:
    """Each event of the batch in hand parsed once (`upstream_parts`): the locks, the
    per-message check, the intake and the re-evaluation all read it. One per consumer,
    which takes one batch at a time; `clear` after each batch. An event is known by
    itself (its identity, held here), so a later event is never given another's parts."""

    def __init__(self) -> None:
        self._parts: dict[int, tuple[CloudEvent, UpstreamParts | ContractViolation]] = {}

    def __call__(self, event: CloudEvent) -> UpstreamParts:
        known = self._parts.get(id(event))
        if known is None or known[0] is not event:
            try:
                known = (event, upstream_parts(event))
            except ContractViolation as violation:
                known = (event, violation)
            self._parts[id(event)] = known
        parts = known[1]
        if isinstance(parts, ContractViolation):
            raise ContractViolation(str(parts))
        return parts

    def clear(self) -> None:
        self._parts.clear()


async def check_upstream_event(
    conn: Connection,
    store: EventStore,
    event: CloudEvent,
    today: date,
    parts_of: PartsOf = upstream_parts,
) -> None:
    """The consumer's per-message step: a payload that breaks the contract is rejected
    (kept in `rejected_evidence`); anything else waits for `take_in_batch`."""
    try:
        parts_of(event)
    except ContractViolation:
        await receive_upstream_event(conn, store, event, today, evaluate=False)


async def take_in_batch(
    conn: Connection,
    store: EventStore,
    events: list[CloudEvent],
    today: date,
    parts_of: PartsOf = upstream_parts,
) -> None:
    """Store the batch's evidence in message order, then evaluate whom it touched."""
    run: list[tuple[CloudEvent, Evidence]] = []
    for event in events:
        try:
            item, retraction, calibration = parts_of(event)
        except ContractViolation:
            continue  # rejected by `check_upstream_event`
        if retraction is not None or calibration is not None:
            await _store_evidence(conn, store, run)
            run = []
            await receive_upstream_event(conn, store, event, today, evaluate=False)
        elif item is not None:
            run.append((event, item))
    await _store_evidence(conn, store, run)
    await refresh_batch(conn, store, events, today, parts_of)


async def _store_evidence(
    conn: Connection, store: EventStore, run: list[tuple[CloudEvent, Evidence]]
) -> None:
    """`receive_evidence` (evaluation left to the batch) for many items at once: those
    already known or already retracted are skipped, the others appended and projected."""
    by_agency: dict[str, dict[str, tuple[CloudEvent, Evidence]]] = {}
    for event, item in run:
        by_agency.setdefault(event.agencyid, {}).setdefault(item.event_id, (event, item))
    for agency_id, items in by_agency.items():
        known = await evidence_rows.known_or_retracted(
            conn,
            agency_id,
            {event_id: item.practitioner_id for event_id, (_, item) in items.items()},
        )
        streams = [
            (evidence_stream(agency_id, item.practitioner_id), [_received(agency_id, event, item)])
            for event, item in items.values()
            if item.event_id not in known
        ]
        stored = await store.append_streams(conn, streams, as_sent=True)
        if stored:  # evidence_received events only: their rows straight from the log
            await project_evidence_at(conn, [event.position for event in stored])
            await evidence_rows.analyze_if_unseen(conn, agency_id, len(stored))


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
