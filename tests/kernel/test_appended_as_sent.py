"""An append answers each stored event from what was sent and what only the database
knows (position, transaction, version, recorded time): the payload and metadata are not
read back and decoded again, yet every field equals the event read back."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone

from shared.events import PendingEvent, StoredEvent
from shared.stream_appends import StreamAppend
from tests.kernel.probe import Probe, pending

# keys PostgreSQL's jsonb would give back in another order (shorter keys first)
SENT_METADATA = {"zz_source": {"line": 4, "tags": ["a", "b"]}, "a": 1}


def eastern(amount: int, subject: str = "p") -> PendingEvent:
    return dataclasses.replace(
        pending(subject, amount),
        occurred_at=datetime(2026, 3, 8, 1, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5))),
        actor="admin-7",
        metadata=dict(SENT_METADATA),
    )


def assert_answered_as_sent(written: list[StoredEvent], read: list[StoredEvent]) -> None:
    assert written == read
    for event in written:
        assert event.occurred_at.utcoffset() == timedelta(0)
        assert list(event.metadata) == ["zz_source", "a", "actor"]  # as sent, not as stored


async def test_an_append_in_a_transaction_answers_its_events_as_sent(probe: Probe) -> None:
    stream = f"sent-{uuid.uuid4()}"
    async with probe.store.transaction() as conn:
        written = await probe.store.append(conn, stream, [eastern(1), eastern(2)], 0)

    assert [e.stream_version for e in written] == [1, 2]
    assert_answered_as_sent(written, await probe.store.read_stream(stream))


async def test_an_append_alone_answers_its_event_as_sent(probe: Probe) -> None:
    stream = f"alone-{uuid.uuid4()}"
    async with probe.pool.acquire() as conn:
        written = await probe.store.append_alone(conn, stream, [eastern(3)], 0)

    assert_answered_as_sent(written, await probe.store.read_stream(stream))


async def test_appends_to_each_stream_answer_their_events_as_sent(probe: Probe) -> None:
    east, west = f"east-{uuid.uuid4()}", f"west-{uuid.uuid4()}"
    await probe.append(east, pending("p", 0))
    async with probe.store.transaction() as conn:
        [eastern_events, western_events] = await probe.store.append_each(
            conn,
            [
                StreamAppend(east, [eastern(4), eastern(5)], expected_version=1),
                StreamAppend(west, [eastern(6, "q")], expected_version=None),
            ],
        )

    read = await probe.store.read_streams([east, west])
    assert [e.stream_version for e in eastern_events] == [2, 3]
    assert_answered_as_sent(eastern_events, read[east][1:])
    assert_answered_as_sent(western_events, read[west])
