"""Evidence intake: one item, from an upstream event or an admin action, into the log.

Each item is appended as an `evidence_received` event (so the evidence projection is
rebuilt from certification's own log), projected, and the practitioner re-evaluated,
all in the caller's transaction. The item is keyed by its source event id: the same
id twice changes nothing, whatever the delivery order.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import structlog

from services.certification.adapters import evidence_rows, locks
from services.certification.adapters.projector import project
from services.certification.domain.events import EvidenceReceived
from services.certification.domain.evidence import Evidence
from services.certification.domain.intake import ContractViolation, evidence_from_event
from services.certification.handlers.evaluation import Evaluated, refresh
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.practice_time import as_practice_datetime

log = structlog.get_logger(__name__)

# evidence_received ids derive from the source event id: one item, one event, ever
EVIDENCE_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-4c59-9a7e-2b0d5e8f1c31")


def evidence_stream(agency_id: str, practitioner_id: str) -> str:
    return f"evidence/{agency_id}/{practitioner_id}"


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
) -> Evaluated | None:
    """Record ``item`` and re-evaluate its practitioner; None when it was already known."""
    practitioner_id = item.practitioner_id
    await locks.share_agency(conn, agency_id)
    await locks.own_practitioners(conn, agency_id, [practitioner_id])
    if await evidence_rows.has_evidence(conn, agency_id, item.event_id):
        return None
    stored = await store.append(
        conn,
        evidence_stream(agency_id, practitioner_id),
        [
            PendingEvent(
                event=EvidenceReceived(
                    practitioner_id=practitioner_id,
                    source=source,
                    source_type=source_type,
                    item=item.model_dump(mode="json"),
                ),
                agency_id=agency_id,
                subject=practitioner_id,
                occurred_at=as_practice_datetime(item.occurred_on),
                actor=actor,
                event_id=uuid.uuid5(EVIDENCE_NAMESPACE, f"{agency_id}/{item.event_id}"),
            )
        ],
        expected_version=None,
    )
    await project(conn, stored)
    if await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is None:
        return None  # kept until the practitioner is registered; only the roster is evaluated
    return await refresh(conn, store, agency_id, practitioner_id, today, actor=actor)


async def receive_upstream_event(
    conn: Connection, store: EventStore, event: CloudEvent, today: date
) -> None:
    """A consumer's handler: translate the CloudEvent and take in its evidence, if any."""
    try:
        item = evidence_from_event(event.service, event.event_name, event.id, event.data)
    except ContractViolation as violation:
        await _reject(conn, event, str(violation))
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
