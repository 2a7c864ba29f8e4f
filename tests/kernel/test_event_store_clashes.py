"""Appends that clash: what the one-statement append answers, and what it leaves behind."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg
import pytest

from shared.eventstore import ConcurrencyConflict
from shared.stream_appends import StreamAppend
from tests.kernel.probe import Probe, pending


async def waiting_for_a_lock(probe: Probe) -> None:
    async with probe.pool.acquire() as conn:
        for _ in range(200):
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the second append never waited for the first")


async def test_an_append_at_any_version_conflicts_when_a_concurrent_writer_took_its_version(
    probe: Probe,
) -> None:
    await probe.append("any", pending("p", 1))
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with probe.store.transaction() as conn:
            await probe.store.append(conn, "any", [pending("p", 2)], expected_version=None)
            first_in.set()
            await release.wait()  # holds version 2 uncommitted while the second inserts

    async def second() -> str:
        await first_in.wait()
        async with probe.store.transaction() as conn:
            try:
                await probe.store.append(conn, "any", [pending("p", 3)], expected_version=None)
            except ConcurrencyConflict:
                return "conflict"
            return "appended"

    holder = asyncio.create_task(first())
    racer = asyncio.create_task(second())
    await first_in.wait()
    await waiting_for_a_lock(probe)  # the second's insert waits on the first's version 2
    release.set()
    await holder
    assert await racer == "conflict"
    assert [e.data["amount"] for e in await probe.store.read_stream("any")] == [1, 2]


async def test_a_clashing_event_id_stores_none_of_the_batch_and_the_transaction_goes_on(
    probe: Probe,
) -> None:
    [taken] = await probe.append("first", pending("p", 1))
    fresh = pending("p", 2)
    clash = dataclasses.replace(pending("p", 3), event_id=taken.event_id)
    async with probe.store.transaction() as conn:
        with pytest.raises(asyncpg.UniqueViolationError) as error:
            await probe.store.append(conn, "second", [fresh, clash], expected_version=0)
        assert error.value.constraint_name == "events_event_id_key"
        await probe.store.append(conn, "third", [pending("p", 4)], expected_version=0)
    assert await probe.store.read_stream("second") == []
    assert await probe.store.find_event(fresh.event_id) is None
    assert [e.data["amount"] for e in await probe.store.read_stream("third")] == [4]


async def test_an_append_at_the_wrong_version_leaves_the_transaction_usable(
    probe: Probe,
) -> None:
    await probe.append("moved", pending("p", 1), pending("p", 2))
    async with probe.store.transaction() as conn:
        with pytest.raises(ConcurrencyConflict, match="no longer at version 1"):
            await probe.store.append(conn, "moved", [pending("p", 3)], expected_version=1)
        stored = await probe.store.append(conn, "moved", [pending("p", 3)], expected_version=2)
    assert [e.stream_version for e in stored] == [3]
    assert [e.data["amount"] for e in await probe.store.read_stream("moved")] == [1, 2, 3]


async def test_appends_to_each_stream_in_one_statement_continue_each_in_the_order_given(
    probe: Probe,
) -> None:
    await probe.append("later", pending("p", 1))
    async with probe.store.transaction() as conn:
        new, later = await probe.store.append_each(
            conn,
            [
                StreamAppend("new", [pending("q", 2), pending("q", 3)], expected_version=0),
                StreamAppend("later", [pending("p", 4)], expected_version=None),
            ],
        )
    assert [(e.stream_version, e.data["amount"]) for e in new] == [(1, 2), (2, 3)]
    assert [(e.stream_version, e.data["amount"]) for e in later] == [(2, 4)]
    assert [e.position for e in [*new, *later]] == sorted(e.position for e in [*new, *later])
    read = await probe.store.read_streams(["new", "later"])
    assert [e.data["amount"] for e in read["later"]] == [1, 4]
    assert [e.event_id for e in read["new"]] == [e.event_id for e in new]


async def test_appends_to_each_stream_stop_at_the_first_stream_not_at_its_version(
    probe: Probe,
) -> None:
    await probe.append("taken", pending("p", 1))
    async with probe.store.transaction() as conn:
        with pytest.raises(ConcurrencyConflict, match="'taken' is no longer at version 0"):
            await probe.store.append_each(
                conn,
                [
                    StreamAppend("taken", [pending("p", 2)], expected_version=0),
                    StreamAppend("follower", [pending("q", 3)], expected_version=None),
                ],
            )
        with pytest.raises(ConcurrencyConflict, match="'taken' is no longer at version 0"):
            await probe.store.append_each(
                conn,
                [
                    StreamAppend("before", [pending("r", 4)], expected_version=0),
                    StreamAppend("taken", [pending("p", 5)], expected_version=0),
                ],
            )
    # as two appends one after the other: the streams before the conflict took theirs
    read = await probe.store.read_streams(["taken", "follower", "before"])
    assert [e.data["amount"] for e in read["taken"]] == [1]
    assert read["follower"] == []
    assert [e.data["amount"] for e in read["before"]] == [4]


async def test_appends_to_each_stream_with_a_clashing_event_id_keep_the_transaction_usable(
    probe: Probe,
) -> None:
    [taken] = await probe.append("first", pending("p", 1))
    clash = dataclasses.replace(pending("p", 3), event_id=taken.event_id)
    async with probe.store.transaction() as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            await probe.store.append_each(
                conn,
                [
                    StreamAppend("fresh", [pending("q", 2)], expected_version=0),
                    StreamAppend("clashing", [clash], expected_version=0),
                ],
            )
        await probe.store.append(conn, "after", [pending("p", 4)], expected_version=0)
    read = await probe.store.read_streams(["clashing", "after"])
    assert read["clashing"] == []
    assert [e.data["amount"] for e in read["after"]] == [4]
