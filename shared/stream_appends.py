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
from datetime import UTC
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


# `EventStore.append_streams`'s one statement: each stream's version (its newest row, one
# index probe however long its history), then the events inserted after them in the order
# given (positions follow it). The events come as one JSON document, a row per event
# (`append_streams_arguments`): encoded in one call and parsed once, where an array per
# column had the driver check and escape every element. `{returning}`/`{answer}`: what
# it reads back.
_APPEND_STREAMS = """
    WITH current AS MATERIALIZED (
        SELECT s.stream_id, s.k, coalesce((
            SELECT v.stream_version FROM events AS v WHERE v.stream_id = s.stream_id
            ORDER BY v.stream_version DESC LIMIT 1), 0) AS version
        FROM unnest($1::text[]) WITH ORDINALITY AS s(stream_id, k)
    ), inserted AS (
        INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
            schema_version, subject, occurred_at, data, metadata)
        SELECT (e->>2)::uuid, current.stream_id, current.version + (e->>1)::int, e->>3,
            e->>4, (e->>5)::int, e->>6, (e->>7)::timestamptz, e->8, e->9
        FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS r(e, ord)
        JOIN current ON current.k = (e->>0)::int
        ORDER BY r.ord
        RETURNING {returning}
    )
    {answer}
"""


def append_streams_sql(columns: str) -> str:
    """The statement reading back every stored row (`columns` of `events`), in position
    order."""
    return _APPEND_STREAMS.format(
        returning="*", answer=f"SELECT {columns} FROM inserted ORDER BY position"
    )


# The statement for events kept as sent: one row, with what only the database knows —
# each stream's version before the append (in the streams' order), each event's position,
# and the transaction's id and time (its `tx_id` and `recorded_at` defaults, the same
# for every row of one transaction).
APPEND_STREAMS_AS_SENT = _APPEND_STREAMS.format(
    returning="position, event_id, tx_id, recorded_at",
    answer="""SELECT (SELECT array_agg(version ORDER BY k) FROM current) AS versions,
        array_agg(event_id ORDER BY position) AS event_ids,
        array_agg(position ORDER BY position) AS positions,
        min(tx_id::text::bigint) AS tx_id, min(recorded_at) AS recorded_at
    FROM inserted""",
)


def append_streams_arguments(
    streams: dict[str, list[PendingEvent]], datas: Sequence[Any], metadatas: Sequence[Any]
) -> list[Any]:
    """The statement's parameters: the streams, then the events (in the streams' order,
    each with its payload and its metadata) as one JSON array of rows: its stream (its
    number in `streams`), its number within it, then its columns. `occurred_at` is sent
    in UTC, as the driver sends a timestamptz (a naive time taken as local)."""
    rows: list[tuple[Any, ...]] = []
    for k, in_stream in enumerate(streams.values(), start=1):
        for n, pending in enumerate(in_stream, start=1):
            rows.append(
                (
                    k,
                    n,
                    pending.event_id,
                    pending.agency_id,
                    pending.event.name,
                    pending.event.version,
                    pending.subject,
                    pending.occurred_at.astimezone(UTC),
                    datas[len(rows)],
                    metadatas[len(rows)],
                )
            )
    return [list(streams), rows]
