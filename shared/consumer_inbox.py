"""The consumer inbox: which events a consumer has taken in (`consumer_inbox`).

A row per consumer and event id, written in the transaction that handles the event, so a
redelivered or duplicate event finds its id there and changes nothing.
"""

from __future__ import annotations

from nats.aio.msg import Msg

from shared.database import Connection
from shared.envelope import CloudEvent

INBOX_INSERT = (
    "INSERT INTO consumer_inbox (consumer, event_id, stream_seq) VALUES ($1, $2, $3)"
    " ON CONFLICT DO NOTHING"
)


async def first_time(conn: Connection, consumer: str, msg: Msg, event: CloudEvent) -> bool:
    """Record one event; whether it was new to `consumer`."""
    first: bool | None = await conn.fetchval(
        INBOX_INSERT + " RETURNING true", consumer, event.id, msg.metadata.sequence.stream
    )
    return bool(first)


async def first_times(
    conn: Connection, consumer: str, batch: list[tuple[Msg, CloudEvent]]
) -> list[tuple[Msg, CloudEvent]]:
    """Record a batch's events in one statement; the messages whose event was new to
    `consumer` (an event repeated inside the batch counts once)."""
    inserted = await conn.fetch(
        "INSERT INTO consumer_inbox (consumer, event_id, stream_seq)"
        " SELECT $1, id, seq FROM unnest($2::text[], $3::bigint[]) AS m(id, seq)"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        [event.id for _, event in batch],
        [msg.metadata.sequence.stream for msg, _ in batch],
    )
    fresh = {row["event_id"] for row in inserted}
    new: list[tuple[Msg, CloudEvent]] = []
    for msg, event in batch:
        if event.id in fresh:
            fresh.discard(event.id)
            new.append((msg, event))
    return new


async def forget(conn: Connection, consumer: str, event_ids: list[str]) -> None:
    """Remove events whose handling failed: a redelivery takes them in again."""
    await conn.execute(
        "DELETE FROM consumer_inbox WHERE consumer = $1 AND event_id = ANY($2::text[])",
        consumer,
        event_ids,
    )
