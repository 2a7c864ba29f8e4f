"""Appends to several streams, each at its own expected version, in one statement.

A write that appends to two streams (a registration and the evidence it brings) sends
`EventStore.append` twice: two round trips, each costing the service and PostgreSQL
more CPU than its rows. `EventStore.append_each` sends one statement: every stream's
version read and checked, the events inserted after them only when every check holds
(in the order given, so positions follow it), and the relay woken once. Anything less
than every event stored sends the caller down the step-by-step path, stream by stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.events import PendingEvent


@dataclass(frozen=True)
class StreamAppend:
    """One stream's events and the version it must be at (`EventStore.append`'s
    `expected_version`: 0 "new", None "any")."""

    stream_id: str
    events: Sequence[PendingEvent]
    expected_version: int | None


def append_each_sql(columns: str) -> str:
    """The statement: one row per stored event (`columns` of `events`), or one row of
    NULLs for a stream none was stored in, each with the version its stream was seen at."""
    return f"""
    WITH current AS (
        SELECT s.wanted_stream, s.expected,
            (SELECT coalesce(max(stream_version), 0) FROM events
             WHERE stream_id = s.wanted_stream) AS version
        FROM unnest($1::text[], $2::int[]) AS s(wanted_stream, expected)
    ), inserted AS (
        INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
            schema_version, subject, occurred_at, data, metadata)
        SELECT e.event_id, e.stream_id, current.version + e.n, e.agency_id, e.name,
            e.schema_version, e.subject, e.occurred_at, e.data, e.metadata
        FROM unnest($4::text[], $5::int[], $6::uuid[], $7::text[], $8::text[], $9::int[],
            $10::text[], $11::timestamptz[], $12::jsonb[], $13::jsonb[]) WITH ORDINALITY
            AS e(stream_id, n, event_id, agency_id, name, schema_version, subject,
                 occurred_at, data, metadata, ord)
        JOIN current ON current.wanted_stream = e.stream_id
        WHERE NOT EXISTS (SELECT 1 FROM current AS c
                          WHERE c.expected IS NOT NULL AND c.version <> c.expected)
        ORDER BY e.ord
        ON CONFLICT DO NOTHING
        RETURNING *
    )
    SELECT current.wanted_stream, current.version AS seen_version, {columns}
    FROM current LEFT JOIN inserted ON inserted.stream_id = current.wanted_stream
    LEFT JOIN (SELECT pg_notify($3, '') WHERE $3::text IS NOT NULL) AS woken ON true
    ORDER BY inserted.position
"""


def append_each_arguments(
    appends: Sequence[StreamAppend], notify_channel: str | None, rows: Sequence[tuple[Any, ...]]
) -> list[Any]:
    """The statement's parameters: the streams and their expected versions, the channel
    (None: no NOTIFY, the relay is woken in process, shared/commit_wake.py),
    then the events' columns (`rows`: `_row_values` of each event, in the appends'
    order, each led by its stream and its number within it)."""
    streams = [a.stream_id for a in appends]
    if len(set(streams)) != len(streams):
        raise ValueError("append_each takes each stream once: merge its events")
    columns = [list(column) for column in zip(*rows, strict=True)]
    numbers = [n for a in appends for n in range(1, len(a.events) + 1)]
    return [
        streams,
        [a.expected_version for a in appends],
        notify_channel,
        columns[1],
        numbers,
        columns[0],
        *columns[3:],
    ]
