"""The batch append (`EventStore.append_streams`): what it stores and answers, and how it
fails when another writer or an earlier event is in its way."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest

from tests.kernel.probe import Probe, pending


def _named(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


async def test_events_appended_as_sent_answer_each_field_as_reading_them_back_does(
    probe: Probe,
) -> None:
    east, west, lone = _named("east"), _named("west"), _named("lone")
    for amount in range(3):
        await probe.append(east, pending("p", amount))
    eastern = timezone(timedelta(hours=-5))
    sent = [
        dataclasses.replace(
            pending("p", 7),
            occurred_at=datetime(2026, 3, 8, 1, 59, 59, 123456, tzinfo=eastern),
            actor="admin-7",
            metadata={"source": {"line": 4, "tags": ["a", "b"]}},
        ),
        dataclasses.replace(pending("q", 8), subject=None),
        pending("p", 9),
    ]
    streams = [(east, [sent[0]]), (west, [sent[1]]), (east, [sent[2]]), (lone, [])]
    async with probe.store.transaction() as conn:
        written = await probe.store.append_streams(conn, streams, as_sent=True)

    read = await probe.store.read_streams([east, west, lone])
    assert written == sorted(read[east][3:] + read[west], key=lambda e: e.position)
    assert [(e.stream_id, e.stream_version) for e in written] == [
        (east, 4),
        (east, 5),
        (west, 1),
    ]
    assert written[0].occurred_at.utcoffset() == timedelta(0)
    assert written[0].metadata == {"source": {"line": 4, "tags": ["a", "b"]}, "actor": "admin-7"}
    assert len({e.tx_id for e in written}) == 1
    assert read[lone] == []


async def test_a_batch_append_racing_another_on_its_stream_fails_on_the_unique_key(
    probe: Probe,
) -> None:
    stream = _named("raced")
    await probe.append(stream, pending("p", 1))
    first_holds = asyncio.Event()

    async def first() -> None:
        async with probe.store.transaction() as conn:
            await probe.store.append_streams(conn, [(stream, [pending("p", 2)])])
            first_holds.set()
            await asyncio.sleep(0.1)  # the second writer waits on this row meanwhile

    async def second() -> None:
        await first_holds.wait()
        async with probe.store.transaction() as conn:
            await probe.store.append_streams(conn, [(stream, [pending("p", 3)])])

    results = await asyncio.gather(first(), second(), return_exceptions=True)
    assert results[0] is None
    assert isinstance(results[1], asyncpg.UniqueViolationError)
    assert results[1].constraint_name == "events_stream_version_key"
    stored = await probe.store.read_stream(stream)
    assert [(e.stream_version, e.data["amount"]) for e in stored] == [(1, 1), (2, 2)]


async def test_a_batch_holding_an_event_already_stored_stores_none_of_its_events(
    probe: Probe,
) -> None:
    known, fresh = _named("known"), _named("fresh")
    [stored] = await probe.append(known, pending("p", 1))
    again = dataclasses.replace(pending("p", 1), event_id=stored.event_id)
    with pytest.raises(asyncpg.UniqueViolationError) as clash:
        async with probe.store.transaction() as conn:
            await probe.store.append_streams(
                conn, [(fresh, [pending("q", 2)]), (_named("other"), [again])]
            )
    assert clash.value.constraint_name == "events_event_id_key"
    assert await probe.store.read_stream(fresh) == []
    assert len(await probe.store.read_stream(known)) == 1
