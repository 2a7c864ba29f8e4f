"""The PostgreSQL event store: optimistic appends, stream reads, commit-safe global reads.

Gap problem: `position` (bigserial) is assigned at insert but becomes visible at commit,
so "everything after position N" can skip a slow transaction that commits later with a
smaller position. Each row also records its writer's transaction id (`tx_id`,
`pg_current_xact_id()`); a global reader only takes rows whose transaction is below the
oldest still-running one (`pg_snapshot_xmin(pg_current_snapshot())`), and orders by
`(tx_id, position)`. Every transaction below that fence has finished, so no row can
later appear behind the reader's checkpoint.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.database import Connection, Pool
from shared.events import PendingEvent, StoredEvent
from shared.idempotency_keys import mark_applied
from shared.logs import current_request_id, traceparent_for

_COLUMNS = (
    "position, tx_id::text::bigint AS tx_id, event_id, stream_id, stream_version, agency_id,"
    " name, schema_version, subject, occurred_at, recorded_at, data, metadata"
)


class ConcurrencyConflict(Exception):
    """The stream moved on since the caller read it; the API answers 409."""

    def __init__(self, stream_id: str, expected_version: int | None) -> None:
        super().__init__(
            f"stream {stream_id!r} is no longer at version {expected_version}; "
            "read it again and retry"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


@dataclass(frozen=True, order=True)
class Checkpoint:
    """A reader's position in commit-safe order."""

    tx_id: int = 0
    position: int = 0


def row_to_event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        position=row["position"],
        tx_id=row["tx_id"],
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        agency_id=row["agency_id"],
        name=row["name"],
        schema_version=row["schema_version"],
        subject=row["subject"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        data=row["data"],
        metadata=row["metadata"],
    )


class EventStore:
    """Append to and read from the `events` table of one service schema."""

    def __init__(self, pool: Pool, notify_channel: str) -> None:
        self.pool = pool
        self.notify_channel = notify_channel

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One transaction for appends and the projection rows that go with them."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def append(
        self,
        conn: Connection,
        stream_id: str,
        events: Sequence[PendingEvent],
        expected_version: int | None,
    ) -> list[StoredEvent]:
        """Append inside the caller's transaction.

        `expected_version` 0 means "the stream must be new"; None means "any version"
        (still safe: a concurrent writer makes the unique key fail, never interleave).
        """
        current = await conn.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1",
            stream_id,
        )
        if expected_version is not None and current != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version)
        rows = [_row_values(stream_id, current + i + 1, e) for i, e in enumerate(events)]
        try:
            # a savepoint, so a conflict leaves the caller's transaction usable
            async with conn.transaction():
                stored = await conn.fetch(
                    f"""
                    INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
                        schema_version, subject, occurred_at, data, metadata)
                    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[],
                        $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::jsonb[],
                        $10::jsonb[])
                    RETURNING {_COLUMNS}
                    """,
                    *[list(column) for column in zip(*rows, strict=True)],
                )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "events_stream_version_key":
                raise ConcurrencyConflict(stream_id, expected_version) from error
            raise
        await conn.execute("SELECT pg_notify($1, '')", self.notify_channel)
        await mark_applied(conn)  # an Idempotency-Key is bound to its effect atomically
        return [row_to_event(r) for r in stored]

    async def read_stream(
        self, stream_id: str, conn: Connection | None = None, from_version: int = 1
    ) -> list[StoredEvent]:
        """The stream's events from `from_version` on, in version order."""
        query = (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2"
            " ORDER BY stream_version"
        )
        if conn is not None:
            return [row_to_event(r) for r in await conn.fetch(query, stream_id, from_version)]
        async with self.pool.acquire() as own:
            return [row_to_event(r) for r in await own.fetch(query, stream_id, from_version)]

    async def read_streams(
        self, stream_ids: Sequence[str], conn: Connection | None = None
    ) -> dict[str, list[StoredEvent]]:
        """Several streams in one query (e.g. a team's members), each in version order."""
        query = (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = ANY($1::text[])"
            " ORDER BY stream_id, stream_version"
        )
        if conn is not None:
            rows = await conn.fetch(query, list(stream_ids))
        else:
            async with self.pool.acquire() as own:
                rows = await own.fetch(query, list(stream_ids))
        streams: dict[str, list[StoredEvent]] = {stream_id: [] for stream_id in stream_ids}
        for row in rows:
            streams[row["stream_id"]].append(row_to_event(row))
        return streams

    async def read_committed(self, after: Checkpoint, limit: int) -> list[StoredEvent]:
        """Events after `after` in commit-safe order; never skips a late committer."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""
                SELECT {_COLUMNS} FROM events
                WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
                  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY tx_id, position
                LIMIT $3
                """,
                str(after.tx_id),
                after.position,
                limit,
            )
        return [row_to_event(r) for r in rows]

    async def read_agency(
        self, conn: Connection, agency_id: str, after_position: int = 0, limit: int = 1000
    ) -> list[StoredEvent]:
        """One tenant's events after `after_position`, in position order (a tenant's replay).

        Position order is commit order only while no writer of that tenant is in flight:
        the caller holds a lock that keeps them out (see certification's rebuild).
        """
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE agency_id = $1 AND position > $2"
            " ORDER BY position LIMIT $3",
            agency_id,
            after_position,
            limit,
        )
        return [row_to_event(r) for r in rows]

    async def find_event(self, event_id: uuid.UUID) -> StoredEvent | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM events WHERE event_id = $1", event_id
            )
        return row_to_event(row) if row else None


def _row_values(stream_id: str, version: int, pending: PendingEvent) -> tuple[Any, ...]:
    metadata = dict(pending.metadata)
    if pending.actor is not None:
        metadata["actor"] = pending.actor
    request_id = current_request_id()
    if request_id is not None:  # appended while serving a request: trace it to that request
        metadata.setdefault("request_id", request_id)
        metadata.setdefault("traceparent", traceparent_for(request_id))
    return (
        pending.event_id,
        stream_id,
        version,
        pending.agency_id,
        pending.event.name,
        pending.event.version,
        pending.subject,
        pending.occurred_at,
        pending.event.model_dump(mode="json"),
        metadata,
    )
