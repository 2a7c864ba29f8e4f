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

import functools
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import asyncpg

from shared.commit_wake import LocalRelay, watching_commit, woken_after_commit
from shared.database import Connection, Pool
from shared.events import PendingEvent, StoredEvent
from shared.idempotency_keys import key_held, mark_applied
from shared.logs import current_request_id
from shared.projected import APPEND_PARAMETERS, Projected
from shared.stream_appends import (
    APPEND_STREAMS_AS_SENT,
    StreamAppend,
    append_each_arguments,
    append_each_sql,
    append_streams_arguments,
    append_streams_sql,
)
from shared.tracing import current_traceparent
from shared.transactions import AdvisoryLock, locked_transaction

_COLUMNS = (
    "position, tx_id::text::bigint AS tx_id, event_id, stream_id, stream_version, agency_id,"
    " name, schema_version, subject, occurred_at, recorded_at, data, metadata"
)
# what an append answers of each event it stored: what only the database knows (the rest
# is as it was sent; `_appended`), so no payload travels back to be decoded again
_ASSIGNED = "position, tx_id::text::bigint AS tx_id, event_id, stream_version, recorded_at"


# The usual append in one statement: the stream's version, the expected-version check,
# the insert after it (a unique clash skips the row instead of failing the transaction,
# so the caller sees fewer rows and takes the careful path) and the relay's wake-up
# (no NOTIFY when the channel is NULL: the relay is woken in process, shared/commit_wake.py).
# It answers one row per stored event, or a single row of NULLs when none was stored,
# each with the version the stream was seen at. `{events}`: the events' rows, from an
# array per column (`_SEVERAL`), or for one event from its values ($4-$11, `_ONE`): a
# single write's append binds scalars, sparing the driver an array per column.
_APPEND_AT_ONCE = f"""
    WITH current AS (
        SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1
    ), inserted AS (
        INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
            schema_version, subject, occurred_at, data, metadata)
        SELECT e.event_id, $1, current.version + e.n, e.agency_id, e.name, e.schema_version,
            e.subject, e.occurred_at, e.data, e.metadata
        FROM current, {{events}}
        WHERE $2::int IS NULL OR current.version = $2::int
        ON CONFLICT DO NOTHING
        RETURNING *
    )
    SELECT current.version AS seen_version, {_ASSIGNED}
    FROM current LEFT JOIN inserted ON true
    LEFT JOIN (SELECT pg_notify($3, '') WHERE $3::text IS NOT NULL) AS woken ON true
    ORDER BY inserted.stream_version
"""
_SEVERAL = """unnest($4::uuid[], $5::text[], $6::text[], $7::int[], $8::text[],
            $9::timestamptz[], $10::jsonb[], $11::jsonb[]) WITH ORDINALITY
            AS e(event_id, agency_id, name, schema_version, subject, occurred_at, data,
                 metadata, n)"""
_ONE = """(SELECT $4::uuid, $5::text, $6::text, $7::int, $8::text, $9::timestamptz,
            $10::jsonb, $11::jsonb, 1)
            AS e(event_id, agency_id, name, schema_version, subject, occurred_at, data,
                 metadata, n)"""
_APPEND_ONE = _APPEND_AT_ONCE.format(events=_ONE)
_APPEND_SEVERAL = _APPEND_AT_ONCE.format(events=_SEVERAL)


@functools.lru_cache(maxsize=64)
def _append_projecting(projection_sql: str, one: bool) -> str:
    """The append statement (of one event, or of several) with the projection's INSERT
    inside it (see `Projected`)."""
    append = _APPEND_ONE if one else _APPEND_SEVERAL
    head, select, tail = append.rpartition("SELECT current.version AS seen_version")
    count = f"${APPEND_PARAMETERS}::int"
    return (
        f"{head.rstrip()}, appended AS (SELECT 1 FROM inserted HAVING count(*) = {count}),"
        f" projected AS ({Projected.numbered_after_append(projection_sql)})\n    {select}{tail}"
    )


async def _append_at_once(
    conn: Connection,
    stream_id: str,
    events: Sequence[PendingEvent],
    expected_version: int | None,
    notify_channel: str | None,
    projected: Projected | None,
) -> tuple[list[asyncpg.Record], list[tuple[Any, ...]]]:
    """The usual append's one statement: a row per stored event (`_ASSIGNED`), or one
    row of NULLs; and the values sent of each event (`_row_values`)."""
    rows = [_row_values(stream_id, 0, e) for e in events]
    one = len(rows) == 1
    # each event's values but its stream and version: as they are, or a list per column
    values = rows[0] if one else [list(column) for column in zip(*rows, strict=True)]
    arguments = [stream_id, expected_version, notify_channel, values[0], *values[3:]]
    if projected is None:
        return await conn.fetch(_APPEND_ONE if one else _APPEND_SEVERAL, *arguments), rows
    answered = await conn.fetch(
        _append_projecting(projected.sql, one), *arguments, len(events), *projected.args
    )
    return answered, rows


def _appended(assigned: asyncpg.Record, sent: tuple[Any, ...]) -> StoredEvent:
    """An appended event: `assigned`, its row of what only the database knows, and the
    values `sent` for it (`_row_values`); each field as reading the row back would give
    it (`occurred_at` in UTC, as the driver decodes a timestamptz), the payload and the
    metadata as sent (the same values; the keys in the order they were sent)."""
    event_id, stream_id, _, agency_id, name, schema_version, subject, occurred_at = sent[:8]
    return StoredEvent(
        position=assigned["position"],
        tx_id=assigned["tx_id"],
        event_id=event_id,
        stream_id=stream_id,
        stream_version=assigned["stream_version"],
        agency_id=agency_id,
        name=name,
        schema_version=schema_version,
        subject=subject,
        occurred_at=occurred_at.astimezone(UTC),
        recorded_at=assigned["recorded_at"],
        data=sent[8],
        metadata=sent[9],
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


def row_to_event(
    row: asyncpg.Record,
    *,
    data: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> StoredEvent:
    """An `events` row as a stored event; `data` and `metadata`, when given, stand for
    columns the row was read without (a payload as it was sent, or left out)."""
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
        data=row["data"] if data is None else data,
        metadata=row["metadata"] if metadata is None else metadata,
    )


class EventStore:
    """Append to and read from the `events` table of one service schema."""

    def __init__(self, pool: Pool, notify_channel: str) -> None:
        self.pool = pool
        self.notify_channel = notify_channel
        # the relay of this process, woken in process while it leads (shared/commit_wake.py)
        self.local_relay = LocalRelay()
        # told the names of the events each append inserted (the metrics count them)
        self.on_appended: Callable[[list[str]], None] | None = None

    @asynccontextmanager
    async def transaction(self, locks: Sequence[AdvisoryLock] = ()) -> AsyncIterator[Connection]:
        """One transaction for appends and the projection rows that go with them.

        `locks`: advisory locks it holds from its first statement on, sent with its
        BEGIN in one round trip (shared/transactions.py)."""
        async with self.pool.acquire() as conn, locked_transaction(conn, locks):
            yield conn

    def _channel(self, conn: Connection) -> str | None:
        """The channel an append in `conn`'s transaction notifies, or None when the relay
        of this process will be woken once that transaction ends (shared/commit_wake.py)."""
        return None if woken_after_commit(conn, self.local_relay) else self.notify_channel

    async def _notify(self, conn: Connection) -> None:
        """Wake the relay after an append made step by step (see `_channel`)."""
        channel = self._channel(conn)
        if channel is not None:
            await conn.execute("SELECT pg_notify($1, '')", channel)

    async def append(
        self,
        conn: Connection,
        stream_id: str,
        events: Sequence[PendingEvent],
        expected_version: int | None,
        *,
        projected: Projected | None = None,
    ) -> list[StoredEvent]:
        """Append inside the caller's transaction.

        `expected_version` 0 means "the stream must be new"; None means "any version"
        (still safe: a concurrent writer makes the unique key fail, never interleave).

        One round trip in the usual case: a single statement reads the stream's version,
        checks it, inserts the events after it (skipping, not failing on, a row that
        clashes with a unique key), and wakes the relay. When it stored fewer rows than
        asked (a clash, or another version than expected), the rows it did store are
        removed again and the careful path below gives the precise answer: the
        `ConcurrencyConflict`, the unique violation, or the append after all.

        `projected`: the projection row that goes with the events, written by the same
        statement (see `Projected`), or after the careful path's append.
        """
        if not events:
            return []
        answered, sent = await _append_at_once(
            conn, stream_id, events, expected_version, self._channel(conn), projected
        )
        stored = [r for r in answered if r["position"] is not None]
        if len(stored) < len(events):
            if stored:
                await conn.execute(
                    "DELETE FROM events WHERE event_id = ANY($1::uuid[])",
                    [r["event_id"] for r in stored],
                )
            seen = answered[0]["seen_version"]
            appended = await self._append_carefully(conn, stream_id, events, expected_version, seen)
            if projected is not None:  # not written by the first statement: now
                await conn.execute(projected.alone(), *projected.args)
            return appended
        await mark_applied(conn)  # an Idempotency-Key is bound to its effect atomically
        self._count(events)
        # in the order sent: the rows come in stream version order, one per event
        return [_appended(r, values) for r, values in zip(stored, sent, strict=True)]

    async def append_alone(
        self,
        conn: Connection,
        stream_id: str,
        events: Sequence[PendingEvent],
        expected_version: int | None,
        *,
        projected: Projected | None = None,
    ) -> list[StoredEvent]:
        """`append` as a transaction of its own, for a write that has nothing else to
        write: one round trip where BEGIN, the append and COMMIT took three.

        `conn` is outside any transaction. One event (and its projection row) in a
        single statement is stored whole or not at all, so that statement alone is the
        transaction: PostgreSQL commits it by itself. When it stored nothing (another
        version than expected, a clash), nothing was written, and `append` runs again in
        a transaction, where its careful path gives the precise answer. Several events
        (one statement could store some of them), or a request holding an
        Idempotency-Key (binding the key is a second write), take that transaction at
        once."""
        if len(events) == 1 and not key_held() and not conn.is_in_transaction():
            # a statement that commits by itself: the relay leading here is woken after it
            wake = self.local_relay.wake
            channel = None if wake is not None else self.notify_channel
            answered, sent = await _append_at_once(
                conn, stream_id, events, expected_version, channel, projected
            )
            if wake is not None:
                wake()
            if answered[0]["position"] is not None:
                self._count(events)
                return [_appended(answered[0], sent[0])]
        with watching_commit(conn):
            async with conn.transaction():
                return await self.append(
                    conn, stream_id, events, expected_version, projected=projected
                )

    async def append_each(
        self, conn: Connection, appends: Sequence[StreamAppend]
    ) -> list[list[StoredEvent]]:
        """`append` of each stream in turn, inside the caller's transaction, in one round
        trip in the usual case (shared/stream_appends.py): each stream's stored events.

        The events are stored only when every stream is at its expected version, in the
        order given. Otherwise (or on a clash) the rows stored are removed again and
        each stream takes `append`'s careful path in turn: the first stream that is not
        where it was expected raises `ConcurrencyConflict` (those before it appended)."""
        appends = [a for a in appends if a.events]
        if not appends:
            return []
        rows = [_row_values(a.stream_id, 0, e) for a in appends for e in a.events]
        answered = await conn.fetch(
            _APPEND_EACH, *append_each_arguments(appends, self._channel(conn), rows)
        )
        stored = [r for r in answered if r["position"] is not None]
        if len(stored) < len(rows):
            if stored:
                await conn.execute(
                    "DELETE FROM events WHERE event_id = ANY($1::uuid[])",
                    [r["event_id"] for r in stored],
                )
            seen = {r["wanted_stream"]: r["seen_version"] for r in answered}
            return [
                await self._append_carefully(
                    conn, a.stream_id, a.events, a.expected_version, seen[a.stream_id]
                )
                for a in appends
            ]
        await mark_applied(conn)  # an Idempotency-Key is bound to its effect atomically
        self._count([e for a in appends for e in a.events])
        sent = {values[0]: values for values in rows}
        events = [_appended(r, sent[r["event_id"]]) for r in stored]
        return [[e for e in events if e.stream_id == a.stream_id] for a in appends]

    def _count(self, events: Sequence[PendingEvent]) -> None:
        if self.on_appended is not None:
            self.on_appended([e.event.name for e in events])

    async def _append_carefully(
        self,
        conn: Connection,
        stream_id: str,
        events: Sequence[PendingEvent],
        expected_version: int | None,
        seen_version: int,
    ) -> list[StoredEvent]:
        """The append step by step, in a savepoint: exact errors when something clashed.

        A stream that moved since the first attempt saw it is a conflict also when any
        version would do: a concurrent writer took the versions that attempt wanted."""
        current = await conn.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1",
            stream_id,
        )
        if current != (seen_version if expected_version is None else expected_version):
            raise ConcurrencyConflict(stream_id, expected_version)
        rows = [_row_values(stream_id, current + i + 1, e) for i, e in enumerate(events)]
        try:
            # a savepoint, so a conflict leaves the caller's transaction usable
            async with conn.transaction():
                stored = await conn.fetch(_INSERT, *_columns(rows))
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "events_stream_version_key":
                raise ConcurrencyConflict(stream_id, expected_version) from error
            raise
        await self._notify(conn)
        await mark_applied(conn)  # an Idempotency-Key is bound to its effect atomically
        self._count(events)
        return [row_to_event(r) for r in stored]

    async def append_streams(
        self,
        conn: Connection,
        streams: Sequence[tuple[str, Sequence[PendingEvent]]],
        *,
        as_sent: bool = False,
    ) -> list[StoredEvent]:
        """Append to several streams (at any version) in one statement, inside the
        caller's transaction: a batch of independent writes costs one round trip for its
        streams' versions and its rows (shared/stream_appends.py), not a few per stream.
        The caller serialises the writers of those streams (a lock); a concurrent writer
        still makes the unique key fail, never interleave.

        `as_sent`: the stored events carry the payload and metadata as they were sent
        (the same values; the keys in the model's order), not read back from the database:
        a bulk path spares decoding each payload again; the statement then answers one
        row, the positions and what else only the database knows."""
        merged: dict[str, list[PendingEvent]] = {}
        for stream_id, events in streams:
            merged.setdefault(stream_id, []).extend(events)
        merged = {stream_id: events for stream_id, events in merged.items() if events}
        if not merged:
            return []
        pending = [event for events in merged.values() for event in events]
        datas, metadatas = _payloads(pending)
        arguments = append_streams_arguments(merged, datas, metadatas)
        if as_sent:
            [answer] = await conn.fetch(APPEND_STREAMS_AS_SENT, *arguments)
            appended = _as_sent(merged, datas, metadatas, answer)
        else:
            appended = [row_to_event(r) for r in await conn.fetch(_APPEND_STREAMS, *arguments)]
        await self._notify(conn)
        await mark_applied(conn)
        self._count(pending)
        return appended

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

    async def read_stream_checking(
        self, conn: Connection, stream_id: str, from_version: int, check: str, *args: Any
    ) -> tuple[list[StoredEvent], bool]:
        """`read_stream` and whether the subquery `check` finds a row, in one round trip
        (a write's stream and the roster check it needs). `check` numbers its
        parameters from $3 ($1 and $2 are the stream's); `args` are theirs."""
        rows = await conn.fetch(
            f"SELECT EXISTS ({check}) AS checked, {_COLUMNS} FROM (SELECT) AS one"
            " LEFT JOIN events ON stream_id = $1 AND stream_version >= $2"
            " ORDER BY stream_version",
            stream_id,
            from_version,
            *args,
        )
        return [row_to_event(r) for r in rows if r["position"] is not None], rows[0]["checked"]

    async def read_streams_checking(
        self, conn: Connection, stream_ids: Sequence[str], check: str, *args: Any
    ) -> tuple[dict[str, list[StoredEvent]], bool]:
        """`read_streams` and whether the subquery `check` finds a row, in one round trip.
        `check` numbers its parameters from $2 ($1 is the streams'); `args` are theirs."""
        rows = await conn.fetch(
            f"SELECT EXISTS ({check}) AS checked, {_COLUMNS} FROM (SELECT) AS one"
            " LEFT JOIN events ON stream_id = ANY($1::text[])"
            " ORDER BY stream_id, stream_version",
            list(stream_ids),
            *args,
        )
        streams: dict[str, list[StoredEvent]] = {stream_id: [] for stream_id in stream_ids}
        for row in rows:
            if row["position"] is not None:
                streams[row["stream_id"]].append(row_to_event(row))
        return streams, rows[0]["checked"]

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
                ORDER BY events.tx_id, events.position  -- the columns, in the index's order
                LIMIT $3
                """,
                str(after.tx_id),
                after.position,
                limit,
            )
        return [row_to_event(r) for r in rows]

    async def agency_pages(
        self,
        conn: Connection,
        agency_id: str,
        page_size: int = 1000,
        *,
        skipping: Sequence[str] = (),
    ) -> AsyncIterator[list[StoredEvent]]:
        """One tenant's events in position order, in pages of ``page_size`` (a tenant's
        replay), leaving out those named in `skipping` (a replay that projects them in
        SQL). Call it inside a transaction: the pages come from one statement's cursor.

        One statement, so one plan: the tenant's rows found by the agency index, what
        is left of them sorted. Read page by page (`position > $n ORDER BY position
        LIMIT`), the planner walked the whole log in position order instead, dropping
        every other tenant's events on the way (a page of a tenant's events can end
        anywhere): over 1,000,000 events of 10 agencies, 0.8 s and half a second of
        PostgreSQL's CPU per tenant for a replay whose events were all skipped, a cost
        growing with the other tenants' logs.

        Position order is commit order only while no writer of that tenant is in flight:
        the caller holds a lock that keeps them out (see certification's rebuild).
        """
        cursor = await conn.cursor(
            f"SELECT {_COLUMNS} FROM events WHERE agency_id = $1"
            " AND name <> ALL($2::text[]) ORDER BY position",
            agency_id,
            list(skipping),
        )
        while rows := await cursor.fetch(page_size):
            yield [row_to_event(r) for r in rows]

    async def find_event(self, event_id: uuid.UUID) -> StoredEvent | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM events WHERE event_id = $1", event_id
            )
        return row_to_event(row) if row else None


_APPEND_EACH = append_each_sql(_ASSIGNED)
_APPEND_STREAMS = append_streams_sql(_COLUMNS)


_INSERT = f"""
    INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
        schema_version, subject, occurred_at, data, metadata)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[],
        $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::jsonb[],
        $10::jsonb[])
    RETURNING {_COLUMNS}
"""


def _columns(rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


def _row_values(stream_id: str, version: int, pending: PendingEvent) -> tuple[Any, ...]:
    metadata = dict(pending.metadata)
    if pending.actor is not None:
        metadata["actor"] = pending.actor
    request_id = current_request_id()
    if request_id is not None:  # appended while serving a request: trace it to that request
        metadata.setdefault("request_id", request_id)
    traceparent = current_traceparent()
    if traceparent is not None:  # the span that caused it (a request's, a consumer's)
        metadata.setdefault("traceparent", traceparent)
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


def _payloads(events: Sequence[PendingEvent]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The payload and metadata `_row_values` gives each event: the request and the span
    they were appended in read once, not per event."""
    request_id = current_request_id()
    traceparent = current_traceparent()
    metadatas = []
    for pending in events:
        metadata = dict(pending.metadata)
        if pending.actor is not None:
            metadata["actor"] = pending.actor
        if request_id is not None:
            metadata.setdefault("request_id", request_id)
        if traceparent is not None:
            metadata.setdefault("traceparent", traceparent)
        metadatas.append(metadata)
    return [e.event.model_dump(mode="json") for e in events], metadatas


def _as_sent(
    streams: dict[str, list[PendingEvent]],
    datas: Sequence[Any],
    metadatas: Sequence[dict[str, Any]],
    answer: asyncpg.Record,
) -> list[StoredEvent]:
    """The stored events of `append_streams(as_sent=True)` from what was sent and the
    one row its statement answers: each field as reading the row back would give it
    (`occurred_at` in UTC, as the driver decodes a timestamptz), the payload and metadata
    as sent."""
    position_of = dict(zip(answer["event_ids"], answer["positions"], strict=True))
    tx_id, recorded_at = answer["tx_id"], answer["recorded_at"]
    stored: list[StoredEvent] = []
    for (stream_id, in_stream), seen in zip(streams.items(), answer["versions"], strict=True):
        for version, event in enumerate(in_stream, start=seen + 1):
            stored.append(
                StoredEvent(
                    position=position_of[event.event_id],
                    tx_id=tx_id,
                    event_id=event.event_id,
                    stream_id=stream_id,
                    stream_version=version,
                    agency_id=event.agency_id,
                    name=event.event.name,
                    schema_version=event.event.version,
                    subject=event.subject,
                    occurred_at=event.occurred_at.astimezone(UTC),
                    recorded_at=recorded_at,
                    data=datas[len(stored)],
                    metadata=metadatas[len(stored)],
                )
            )
    return sorted(stored, key=lambda event: event.position)
