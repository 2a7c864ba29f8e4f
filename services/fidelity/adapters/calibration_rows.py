"""Calibration reference meetings and observers' attempts in SQL."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg

from services.fidelity.domain.calibration import CalibrationAttempt
from services.fidelity.domain.events import CalibrationReferenceCreated
from shared.database import Connection


async def insert_reference(
    conn: Connection,
    agency_id: str,
    event: CalibrationReferenceCreated,
    *,
    content_hash: str,
    created_by: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO calibration_references (agency_id, id, title, instrument_key,
            instrument_version, meeting_date, gold_ratings, content_hash, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        agency_id,
        uuid.UUID(event.reference_id),
        event.title,
        event.instrument_key,
        event.instrument_version,
        event.meeting_date,
        event.gold_ratings,
        content_hash,
        created_by,
    )


async def find_reference(
    conn: Connection, agency_id: str, reference_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM calibration_references WHERE agency_id = $1 AND id = $2",
        agency_id,
        reference_id,
    )


async def list_references(
    conn: Connection,
    agency_id: str,
    *,
    instrument_key: str | None,
    after: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT * FROM calibration_references
        WHERE agency_id = $1 AND ($2::text IS NULL OR instrument_key = $2)
          AND ($3::bigint IS NULL OR seq > $3)
        ORDER BY seq LIMIT $4
        """,
        agency_id,
        instrument_key,
        after,
        limit,
    )


async def insert_attempt(
    conn: Connection,
    agency_id: str,
    attempt: CalibrationAttempt,
    ratings: dict[str, str],
    *,
    content_hash: str,
    recorded_by: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO calibration_attempts (agency_id, id, observer_id, reference_id,
            attempted_on, kappa, percent_agreement, bar, passed, ratings, content_hash,
            recorded_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """,
        agency_id,
        uuid.UUID(attempt.attempt_id),
        attempt.observer_id,
        uuid.UUID(attempt.reference_id),
        attempt.practice_date,
        attempt.kappa,
        attempt.percent_agreement,
        attempt.bar,
        attempt.passed,
        ratings,
        content_hash,
        recorded_by,
    )


def attempt_from_row(row: asyncpg.Record) -> CalibrationAttempt:
    return CalibrationAttempt(
        attempt_id=str(row["id"]),
        observer_id=row["observer_id"],
        reference_id=str(row["reference_id"]),
        practice_date=row["attempted_on"],
        kappa=row["kappa"],
        percent_agreement=row["percent_agreement"],
        bar=row["bar"],
        passed=row["passed"],
        instrument_key=row["instrument_key"],
    )


async def find_attempt(
    conn: Connection, agency_id: str, attempt_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM calibration_attempts WHERE agency_id = $1 AND id = $2",
        agency_id,
        attempt_id,
    )


async def calibration_history(
    conn: Connection, agency_id: str, observer_id: str, on_or_before: date
) -> list[CalibrationAttempt]:
    """The observer's attempts up to a date, each with its reference's instrument key."""
    rows = await conn.fetch(
        """
        SELECT a.*, r.instrument_key FROM calibration_attempts a
        JOIN calibration_references r ON r.agency_id = a.agency_id AND r.id = a.reference_id
        WHERE a.agency_id = $1 AND a.observer_id = $2 AND a.attempted_on <= $3
        """,
        agency_id,
        observer_id,
        on_or_before,
    )
    return [attempt_from_row(r) for r in rows]


async def list_attempts(
    conn: Connection,
    agency_id: str,
    observer_id: str,
    *,
    after: tuple[date, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """An observer's attempts, latest first; keyset on (attempted_on, seq) descending."""
    args: list[Any] = [agency_id, observer_id, after[0] if after else None]
    args += [after[1] if after else None, limit]
    return await conn.fetch(
        """
        SELECT * FROM calibration_attempts
        WHERE agency_id = $1 AND observer_id = $2
          AND ($3::date IS NULL OR (attempted_on, seq) < ($3, $4::bigint))
        ORDER BY attempted_on DESC, seq DESC LIMIT $5
        """,
        *args,
    )
