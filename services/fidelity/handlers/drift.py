"""Drift after each counted observation: detect what it adds, emit each signal once.

A signal's identity is `(kind, domain, observation)` within one practitioner and
instrument; its event id is a uuid5 of that identity and its row is keyed by it, so a
signal stored once is never emitted again (even if back-dating makes the pure detector
find it anew). An advisory lock per practitioner and instrument serialises detection,
so two observations recorded at once each see the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from services.fidelity.adapters.drift_history_rows import near_histories
from services.fidelity.adapters.drift_rows import insert_drift_signal
from services.fidelity.domain.drift import (
    DriftSignal,
    DriftThresholds,
    detect_new_drift,
    drift_reach,
)
from services.fidelity.domain.events import FidelityDriftDetected
from services.fidelity.domain.trend import ObservationScore
from shared.auth import Principal
from shared.database import Connection
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime
from shared.transactions import AdvisoryLock, take_lock

DRIFT_NAMESPACE = uuid.UUID("6f1f7c1e-4b1a-5c5e-9a53-0d1f1a2b3c4d")


def drift_id(agency_id: str, practitioner_id: str, instrument_key: str, signal: DriftSignal) -> str:
    kind, domain_id, observation_id = signal.key
    identity = "|".join(
        [agency_id, practitioner_id, instrument_key, kind.value, domain_id or "", observation_id]
    )
    return str(uuid.uuid5(DRIFT_NAMESPACE, identity))


def score_from_row(row: asyncpg.Record) -> ObservationScore:
    return ObservationScore(
        observation_id=str(row["id"]),
        practice_date=row["meeting_date"],
        total=row["total"],
        domain_scores={d["domain_id"]: d["score"] for d in row["domain_scores"]},
    )


def drift_lock(agency_id: str, practitioner_id: str, instrument_key: str) -> AdvisoryLock:
    """Serialises drift detection of one practitioner on one instrument (a transaction
    may begin holding it)."""
    return AdvisoryLock(f"fidelity-drift|{agency_id}|{practitioner_id}|{instrument_key}")


async def record_new_drift(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    *,
    practitioner_id: str,
    instrument_key: str,
    new: ObservationScore,
    thresholds: DriftThresholds,
) -> list[FidelityDriftDetected]:
    """Inside the recording transaction: the drift events this observation adds."""
    agency = principal.agency_id
    await take_lock(conn, drift_lock(agency, practitioner_id, instrument_key))
    # the history near the new observation (stored already, so left out of it)
    pair = (practitioner_id, instrument_key)
    [near] = (
        await near_histories(
            conn,
            agency,
            [(*pair, new.practice_date)],
            [(*pair, domain_id) for domain_id in new.domain_scores],
            drift_reach(thresholds),
            leaving_out=uuid.UUID(new.observation_id),
        )
    ).values()
    previous = [score_from_row(r) for r in near.rows]
    emitted: list[FidelityDriftDetected] = []
    for signal in detect_new_drift(previous, new, thresholds, first_seen=near.first_seen):
        event = drift_event(agency, practitioner_id, instrument_key, signal)
        if await insert_drift_signal(conn, agency, event):
            emitted.append(event)
    if emitted:
        await store.append(
            conn,
            stream_id=stream_id("drift", agency, practitioner_id, instrument_key),
            events=drift_pending(emitted, principal),
            expected_version=None,
        )
    return emitted


def drift_event(
    agency_id: str, practitioner_id: str, instrument_key: str, signal: DriftSignal
) -> FidelityDriftDetected:
    """The event of a signal (also of a batched import's, `drift_batch.py`)."""
    return FidelityDriftDetected(
        drift_id=drift_id(agency_id, practitioner_id, instrument_key, signal),
        practitioner_id=practitioner_id,
        instrument_key=instrument_key,
        kind=signal.kind.value,
        domain_id=signal.domain_id,
        observation_id=signal.observation_id,
        detected_on=signal.practice_date,
        observation_ids=list(signal.observation_ids),
        from_band=signal.from_band.value if signal.from_band else None,
        to_band=signal.to_band.value if signal.to_band else None,
        drop=signal.drop,
        reason=signal.reason,
    )


def drift_pending(
    events: Sequence[FidelityDriftDetected], principal: Principal
) -> list[PendingEvent]:
    """Signals as events to append, each with its signal's id as event id."""
    return [
        PendingEvent(
            event=event,
            agency_id=principal.agency_id,
            subject=event.practitioner_id,
            occurred_at=as_practice_datetime(event.detected_on),
            actor=principal.actor,
            event_id=uuid.UUID(event.drift_id),
        )
        for event in events
    ]
