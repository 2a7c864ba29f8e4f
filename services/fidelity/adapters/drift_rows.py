"""Drift signals in SQL: one row per signal ever emitted, so none is emitted twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from services.fidelity.domain.events import FidelityDriftDetected
from shared.database import Connection


@dataclass(frozen=True, slots=True)
class DriftFilter:
    practitioner_id: str | None = None
    instrument_key: str | None = None
    kind: str | None = None
    detected_from: date | None = None
    detected_to: date | None = None


async def insert_drift_signal(
    conn: Connection, agency_id: str, event: FidelityDriftDetected
) -> bool:
    """Store a signal; False when it was already stored (and so already emitted)."""
    inserted = await conn.fetchval(
        """
        INSERT INTO drift_signals (agency_id, id, practitioner_id, instrument_key, kind,
            domain_id, observation_id, detected_on, observation_ids, from_band, to_band,
            drop, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT ON CONSTRAINT drift_signals_pkey DO NOTHING
        RETURNING true
        """,
        agency_id,
        uuid.UUID(event.drift_id),
        event.practitioner_id,
        event.instrument_key,
        event.kind,
        event.domain_id,
        uuid.UUID(event.observation_id),
        event.detected_on,
        event.observation_ids,
        event.from_band,
        event.to_band,
        event.drop,
        event.reason,
    )
    return bool(inserted)


async def list_drift_signals(
    conn: Connection,
    agency_id: str,
    where: DriftFilter,
    *,
    after: tuple[date, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Latest first; keyset on (detected_on, seq) descending."""
    args: list[Any] = [
        agency_id,
        where.practitioner_id,
        where.instrument_key,
        where.kind,
        where.detected_from,
        where.detected_to,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    ]
    return await conn.fetch(
        """
        SELECT * FROM drift_signals
        WHERE agency_id = $1
          AND ($2::text IS NULL OR practitioner_id = $2)
          AND ($3::text IS NULL OR instrument_key = $3)
          AND ($4::text IS NULL OR kind = $4)
          AND ($5::date IS NULL OR detected_on >= $5)
          AND ($6::date IS NULL OR detected_on <= $6)
          AND ($7::date IS NULL OR (detected_on, seq) < ($7, $8::bigint))
        ORDER BY detected_on DESC, seq DESC
        LIMIT $9
        """,
        *args,
    )


async def find_drift_signal(
    conn: Connection, agency_id: str, drift_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM drift_signals WHERE agency_id = $1 AND id = $2", agency_id, drift_id
    )
