"""The agency's observer calibrations (from fidelity's ``observer_calibrated``), and who
a calibration concerns."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from services.certification.domain.calibrations import Calibration
from shared.database import Connection
from shared.events import StoredEvent


async def project_calibration(conn: Connection, event: StoredEvent) -> None:
    """One ``observer_calibration_received`` into ``observer_calibrations`` (idempotent)."""
    data = event.data
    await conn.execute(
        """
        INSERT INTO observer_calibrations (agency_id, attempt_id, observer_id, instrument_key,
            valid_from, valid_until, event_id)
        VALUES ($1, $2, $3, $4, $5::text::date, $6::text::date, $7)
        ON CONFLICT DO NOTHING
        """,
        event.agency_id,
        data["attempt_id"],
        data["observer_id"],
        data["instrument_key"],
        data["valid_from"],
        data["valid_until"],
        event.event_id,
    )


async def has_calibration(conn: Connection, agency_id: str, attempt_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM observer_calibrations WHERE agency_id = $1 AND attempt_id = $2",
        agency_id,
        attempt_id,
    )
    return bool(found)


async def calibrations_of(
    conn: Connection, agency_id: str, observer_ids: Iterable[str] | None = None
) -> list[Calibration]:
    """The agency's calibrations (of ``observer_ids`` only, when given)."""
    if observer_ids is None:
        rows = await conn.fetch(
            "SELECT * FROM observer_calibrations WHERE agency_id = $1", agency_id
        )
    else:
        rows = await conn.fetch(
            "SELECT * FROM observer_calibrations"
            " WHERE agency_id = $1 AND observer_id = ANY($2::text[])",
            agency_id,
            sorted(set(observer_ids)),
        )
    return [calibration_of(row) for row in rows]


def calibration_of(row: asyncpg.Record) -> Calibration:
    """A calibration from a row holding `observer_calibrations`' columns."""
    return Calibration(
        attempt_id=row["attempt_id"],
        observer_id=row["observer_id"],
        instrument_key=row["instrument_key"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
    )


async def observed_by(
    conn: Connection, agency_id: str, observer_id: str, instrument_key: str
) -> list[str]:
    """The practitioners with observation evidence by ``observer_id`` on
    ``instrument_key``: those a calibration of that observer may move."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT practitioner_id FROM evidence
        WHERE agency_id = $1 AND kind = 'observation_recorded'
          AND item->>'observer_id' = $2 AND item->>'instrument_key' = $3
        ORDER BY practitioner_id
        """,
        agency_id,
        observer_id,
        instrument_key,
    )
    return [row["practitioner_id"] for row in rows]
