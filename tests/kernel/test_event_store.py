"""The event store against a real PostgreSQL: round trips, optimistic concurrency, gaps."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared.eventstore import Checkpoint, ConcurrencyConflict
from shared.projected import Projected
from shared.transactions import AdvisoryLock, locked_transaction, take_lock
from tests.kernel.probe import Probe, pending


async def test_appended_events_read_back_in_stream_order(probe: Probe) -> None:
    async with probe.store.transaction() as conn:
        written = await probe.store.append(
            conn, "practitioner-1", [pending("p1", 3), pending("p1", 4)], expected_version=0
        )
    read = await probe.store.read_stream("practitioner-1")
    assert [e.event_id for e in read] == [e.event_id for e in written]
    assert [e.stream_version for e in read] == [1, 2]
    assert [e.data for e in read] == [{"amount": 3}, {"amount": 4}]
    assert read[0].name == "amount_recorded"
    assert read[0].agency_id == "agency-a"
    assert read[0].occurred_at.tzinfo is not None


async def test_appending_to_several_streams_at_once_continues_each_stream_in_order(
    probe: Probe,
) -> None:
    await probe.append("a", pending("p", 1))
    async with probe.store.transaction() as conn:
        written = await probe.store.append_streams(
            conn,
            [("a", [pending("p", 2)]), ("b", [pending("q", 3)]), ("a", [pending("p", 4)])],
        )
    assert [(e.stream_id, e.stream_version, e.data["amount"]) for e in written] == [
        ("a", 2, 2),
        ("a", 3, 4),
        ("b", 1, 3),
    ]
    assert [e.position for e in written] == sorted(e.position for e in written)
    read = await probe.store.read_streams(["a", "b"])
    assert [e.data["amount"] for e in read["a"]] == [1, 2, 4]
    assert [e.data["amount"] for e in read["b"]] == [3]


async def test_events_appended_as_sent_equal_the_same_events_read_back(probe: Probe) -> None:
    await probe.append("a", pending("p", 1))
    streams = [
        ("a", [pending("p", 2, agency="agency-x")]),
        ("b", [pending("q", 3), pending("q", 3)]),
    ]
    async with probe.store.transaction() as conn:
        written = await probe.store.append_streams(conn, streams, as_sent=True)

    read = await probe.store.read_streams(["a", "b"])
    assert written == sorted(read["a"][1:] + read["b"], key=lambda e: e.position)
    assert [(e.stream_id, e.stream_version, e.data["amount"]) for e in written] == [
        ("a", 2, 2),
        ("b", 1, 3),
        ("b", 2, 3),
    ]


async def test_two_writers_at_the_same_expected_version_one_wins_one_conflicts(
    probe: Probe,
) -> None:
    await probe.append("s", pending("p", 1))
    gate = asyncio.Event()

    async def writer(amount: int) -> str:
        async with probe.store.transaction() as conn:
            await gate.wait()
            try:
                await probe.store.append(conn, "s", [pending("p", amount)], expected_version=1)
            except ConcurrencyConflict:
                return "conflict"
            await asyncio.sleep(0.05)  # hold the row lock so the other overlaps
            return "ok"

    tasks = [asyncio.create_task(writer(10)), asyncio.create_task(writer(20))]
    await asyncio.sleep(0.05)
    gate.set()
    results = sorted(await asyncio.gather(*tasks))
    assert results == ["conflict", "ok"]
    versions = [e.stream_version for e in await probe.store.read_stream("s")]
    assert versions == [1, 2]


async def test_a_conflict_when_the_stream_is_expected_to_be_new(probe: Probe) -> None:
    await probe.append("s", pending("p", 1))
    async with probe.store.transaction() as conn:
        with pytest.raises(ConcurrencyConflict, match="no longer at version 0"):
            await probe.store.append(conn, "s", [pending("p", 2)], expected_version=0)


async def test_commit_safe_read_waits_for_a_slow_transaction_with_a_smaller_position(
    probe: Probe,
) -> None:
    slow_inserted = asyncio.Event()
    release_slow = asyncio.Event()

    async def slow_writer() -> None:
        async with probe.store.transaction() as conn:
            await probe.store.append(conn, "slow", [pending("p", 1)], expected_version=None)
            slow_inserted.set()
            await release_slow.wait()

    slow = asyncio.create_task(slow_writer())
    await slow_inserted.wait()
    fast = await probe.append("fast", pending("p", 2))

    # the fast event has a larger position and is committed, but the slow one is in
    # flight with a smaller position: a reader must not move past it
    visible = await probe.store.read_committed(Checkpoint(), 100)
    assert visible == []

    release_slow.set()
    await slow
    visible = await probe.store.read_committed(Checkpoint(), 100)
    assert {e.stream_id for e in visible} == {"slow", "fast"}
    assert fast[0].event_id in {e.event_id for e in visible}


async def test_a_transaction_begun_with_a_lock_holds_it_until_commit_and_its_savepoints_work(
    probe: Probe,
) -> None:
    lock = AdvisoryLock("learner/agency-a/it's $q0$ quoted")
    first_holds = asyncio.Event()
    release_first = asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        async with probe.store.transaction([lock]) as conn:
            first_holds.set()
            await release_first.wait()
            with pytest.raises(ConcurrencyConflict):  # a savepoint keeps the transaction
                await probe.store.append(conn, "locked", [pending("p", 1)], expected_version=3)
            await probe.store.append(conn, "locked", [pending("p", 1)], expected_version=0)
            order.append("first")

    async def second() -> None:
        await first_holds.wait()
        async with probe.store.transaction() as conn:
            await take_lock(conn, lock)  # the same key, taken by a statement of its own
            order.append("second")
            assert [e.stream_version for e in await probe.store.read_stream("locked", conn)] == [1]

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_holds.wait()
    await asyncio.sleep(0.1)
    assert order == []  # the second waits on the lock the first began with
    release_first.set()
    await asyncio.gather(*tasks)
    assert order == ["first", "second"]
    async with probe.pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_a_lock_the_transaction_began_with_is_not_asked_for_again(probe: Probe) -> None:
    lock = AdvisoryLock("learner/agency-a/p1", shared=True)
    async with probe.store.transaction([AdvisoryLock(lock.key)]) as conn:
        await take_lock(conn, lock)  # an exclusive lock held covers the shared one
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert held == 1


async def test_a_transaction_begun_for_generic_plans_runs_them_until_it_ends(
    probe: Probe,
) -> None:
    async with probe.pool.acquire() as conn:
        usual = await conn.fetchval("SHOW plan_cache_mode")
        async with locked_transaction(conn, [AdvisoryLock("generic")], generic_plans=True):
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
            async with conn.transaction():  # a savepoint inside keeps it
                assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
        assert usual != "force_generic_plan"
        assert await conn.fetchval("SHOW plan_cache_mode") == usual


async def test_a_transaction_for_generic_plans_without_locks_runs_them_too(probe: Probe) -> None:
    stream = f"generic-{uuid.uuid4()}"
    async with probe.pool.acquire() as conn:
        async with locked_transaction(conn, [], generic_plans=True):
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
            await probe.store.append(conn, stream, [pending("g", 1)], expected_version=0)
        assert await conn.fetchval("SHOW plan_cache_mode") != "force_generic_plan"
    assert [e.stream_version for e in await probe.store.read_stream(stream)] == [1]


async def test_a_projection_row_written_by_the_append_statement_exists_exactly_with_its_events(
    probe: Probe,
) -> None:
    written, refused = str(uuid.uuid4()), str(uuid.uuid4())
    async with probe.store.transaction() as conn:
        stored = await probe.store.append(
            conn,
            "projected",
            [pending("p", 1), pending("p", 2)],
            expected_version=0,
            projected=Projected(
                "INSERT INTO probe_seen (event_id) SELECT $1::text FROM appended", (written,)
            ),
        )
        with pytest.raises(ConcurrencyConflict):  # a stale version: no events, no row
            async with conn.transaction():
                await probe.store.append(
                    conn,
                    "projected",
                    [pending("p", 3)],
                    expected_version=1,
                    projected=Projected(
                        "INSERT INTO probe_seen (event_id) SELECT $1::text FROM appended",
                        (refused,),
                    ),
                )
    assert [e.stream_version for e in stored] == [1, 2]
    async with probe.pool.acquire() as conn:
        seen = await conn.fetch(
            "SELECT event_id FROM probe_seen WHERE event_id = ANY($1::text[])", [written, refused]
        )
    assert [row["event_id"] for row in seen] == [written]
    assert len(await probe.store.read_stream("projected")) == 2


def test_a_projected_statement_must_take_its_rows_from_the_append() -> None:
    with pytest.raises(ValueError, match="FROM appended"):
        Projected("INSERT INTO probe_seen (event_id) VALUES ($1)", ("x",))


async def test_a_locked_transaction_inside_a_transaction_takes_its_locks_in_a_savepoint(
    probe: Probe,
) -> None:
    lock = AdvisoryLock("batch/agency-a/p1")
    async with probe.pool.acquire() as conn, conn.transaction():
        async with locked_transaction(conn, [lock]):
            await probe.store.append(conn, "in-batch", [pending("p", 1)], expected_version=0)
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert held == 1  # taken in the outer transaction's savepoint, held to its end
    assert len(await probe.store.read_stream("in-batch")) == 1


async def test_an_agencys_pages_hold_its_events_alone_in_position_order(probe: Probe) -> None:
    ours, theirs = f"agency-{uuid.uuid4()}", f"agency-{uuid.uuid4()}"
    async with probe.store.transaction() as conn:
        written = await probe.store.append_streams(
            conn,
            [(f"s{n}", [pending("p", n, agency=ours if n % 2 else theirs)]) for n in range(1, 11)],
        )
    async with probe.pool.acquire() as conn, conn.transaction():
        pages = [page async for page in probe.store.agency_pages(conn, ours, 2)]
        skipped = [
            page
            async for page in probe.store.agency_pages(conn, ours, 2, skipping=["amount_recorded"])
        ]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [e.position for page in pages for e in page] == [
        e.position for e in written if e.agency_id == ours
    ]
    assert [e.data["amount"] for page in pages for e in page] == [1, 3, 5, 7, 9]
    assert skipped == []
