"""Co-observation comparisons in SQL, and the paired ratings reliability is computed from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from services.fidelity.domain.events import CoObservationCompared
from shared.database import Connection


@dataclass(frozen=True, slots=True)
class ComparisonFilter:
    instrument_key: str | None = None
    meeting_from: date | None = None
    meeting_to: date | None = None
    observer_id: str | None = None  # either of the two observers
    other_observer_id: str | None = None  # with observer_id: exactly this pair


async def insert_comparison(conn: Connection, agency_id: str, event: CoObservationCompared) -> None:
    await conn.execute(
        """
        INSERT INTO co_observation_comparisons (agency_id, observation_id, co_observation_of,
            practitioner_id, first_observer_id, second_observer_id, instrument_key,
            instrument_version, meeting_date, indicator_count, percent_agreement,
            expected_agreement, kappa)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """,
        agency_id,
        uuid.UUID(event.observation_id),
        uuid.UUID(event.co_observation_of),
        event.practitioner_id,
        event.first_observer_id,
        event.second_observer_id,
        event.instrument_key,
        event.instrument_version,
        event.meeting_date,
        event.indicator_count,
        event.percent_agreement,
        event.expected_agreement,
        event.kappa,
    )


async def compared_ratings(
    conn: Connection, agency_id: str, where: ComparisonFilter
) -> list[asyncpg.Record]:
    """Every comparison matching the filter, with both observers' ratings."""
    return await conn.fetch(
        """
        SELECT c.*, f.ratings AS first_ratings, s.ratings AS second_ratings
        FROM co_observation_comparisons c
        JOIN observations f ON f.agency_id = c.agency_id AND f.id = c.co_observation_of
        JOIN observations s ON s.agency_id = c.agency_id AND s.id = c.observation_id
        WHERE c.agency_id = $1
          AND ($2::text IS NULL OR c.instrument_key = $2)
          AND ($3::date IS NULL OR c.meeting_date >= $3)
          AND ($4::date IS NULL OR c.meeting_date <= $4)
          AND ($5::text IS NULL OR $5 IN (c.first_observer_id, c.second_observer_id))
          AND ($6::text IS NULL OR $6 IN (c.first_observer_id, c.second_observer_id))
        ORDER BY c.meeting_date, c.observation_id
        """,
        agency_id,
        where.instrument_key,
        where.meeting_from,
        where.meeting_to,
        where.observer_id,
        where.other_observer_id,
    )
