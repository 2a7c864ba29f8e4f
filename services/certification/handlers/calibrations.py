"""Observer calibrations from fidelity: stored in certification's log, projected, and
the practitioners the observer observed on that instrument family re-evaluated.

Calibration is decided when evidence is folded (domain/calibrations.py), never frozen
when an observation arrives, so a calibration recorded after the observations it covers
(an imported history) makes them count, in any arrival order.
"""

from __future__ import annotations

import uuid

from services.certification.adapters import calibration_rows
from services.certification.adapters.projector import project
from services.certification.domain.calibrations import Calibration
from services.certification.domain.events import ObserverCalibrationReceived
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime

# observer_calibration_received ids derive from fidelity's event id: one attempt, one event
CALIBRATION_NAMESPACE = uuid.UUID("0b6f7d2c-5e41-4a8f-9c3d-7a1e2f4b6c58")


async def receive_calibration(
    conn: Connection, store: EventStore, event: CloudEvent, calibration: Calibration
) -> bool:
    """Record ``calibration`` once (False when it was known already). The caller holds
    the agency's lock (shared) and the locks of the practitioners it may move."""
    agency_id = event.agencyid
    if await calibration_rows.has_calibration(conn, agency_id, calibration.attempt_id):
        return False
    stored = await store.append(
        conn,
        stream_id("calibrations", agency_id, calibration.observer_id),
        [
            PendingEvent(
                event=ObserverCalibrationReceived(
                    attempt_id=calibration.attempt_id,
                    observer_id=calibration.observer_id,
                    instrument_key=calibration.instrument_key,
                    valid_from=calibration.valid_from,
                    valid_until=calibration.valid_until,
                    source_event_id=event.id,
                ),
                agency_id=agency_id,
                subject=calibration.observer_id,
                occurred_at=as_practice_datetime(calibration.valid_from),
                actor=event.actor,
                event_id=uuid.uuid5(CALIBRATION_NAMESPACE, f"{agency_id}/{event.id}"),
            )
        ],
        expected_version=None,
    )
    await project(conn, stored)
    return True


async def practitioners_moved_by(
    conn: Connection, agency_id: str, calibration: Calibration
) -> list[str]:
    """Whom ``calibration`` may move: those its observer observed on its instrument family."""
    return await calibration_rows.observed_by(
        conn, agency_id, calibration.observer_id, calibration.instrument_key
    )
