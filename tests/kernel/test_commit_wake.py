"""While this process's relay leads, an append in a transaction the kernel commits wakes
it in process once the transaction has ended, and sends no NOTIFY (whose lock makes every
notifying writer of the server commit one after another); any other append notifies as
before, so another replica's relay still hears it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from shared.database import Connection, connect
from shared.testing.waiting import eventually
from shared.transactions import locked_transaction
from tests.kernel.probe import Probe, pending

SENTINEL = "sentinel"


@asynccontextmanager
async def notifications(probe: Probe) -> AsyncIterator[list[str]]:
    """The payloads notified on the store's channel meanwhile, each end marked by a
    sentinel sent after the writes (notifications arrive in commit order)."""
    heard: list[str] = []
    listener = await connect(probe.settings)

    def on_notify(*args: Any) -> None:
        heard.append(args[-1])

    await listener.add_listener(probe.store.notify_channel, on_notify)
    try:
        yield heard
        await listener.execute("SELECT pg_notify($1, $2)", probe.store.notify_channel, SENTINEL)
        await eventually(lambda: _true(SENTINEL in heard), timeout=10)
    finally:
        await listener.close()


class LeadingHere:
    """Stands for this process's leading relay: records each wake and whether the
    writer's transaction was still open then."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.open_at_wake: list[bool] = []

    def wake(self) -> None:
        self.open_at_wake.append(self.conn.is_in_transaction())


async def test_a_transaction_the_kernel_commits_wakes_the_relay_here_once_over_and_notifies_none(
    probe: Probe,
) -> None:
    async with probe.pool.acquire() as conn, notifications(probe) as heard:
        leading = LeadingHere(conn)
        probe.store.local_relay.wake = leading.wake
        async with locked_transaction(conn, ()):
            await probe.store.append(conn, "woken", [pending("w", 1)], expected_version=0)
            await probe.store.append(conn, "woken-2", [pending("w", 2)], expected_version=0)
            assert leading.open_at_wake == []
        assert leading.open_at_wake == [False]  # once, the transaction over
        [stored] = await probe.store.append_alone(conn, "alone", [pending("w", 3)], 0)
        assert leading.open_at_wake == [False, False]
    assert heard == [SENTINEL]
    assert stored.stream_version == 1
    streams = await probe.store.read_streams(["woken", "woken-2", "alone"])
    assert [len(events) for events in streams.values()] == [1, 1, 1]


async def test_an_append_in_a_transaction_the_kernel_does_not_see_end_still_notifies(
    probe: Probe,
) -> None:
    async with probe.pool.acquire() as conn, notifications(probe) as heard:
        leading = LeadingHere(conn)
        probe.store.local_relay.wake = leading.wake
        async with conn.transaction():
            await probe.store.append(conn, "notified", [pending("n", 1)], expected_version=0)
    assert leading.open_at_wake == []
    assert heard == ["", SENTINEL]


async def test_with_no_relay_leading_here_every_append_notifies(probe: Probe) -> None:
    assert probe.store.local_relay.wake is None
    async with probe.pool.acquire() as conn, notifications(probe) as heard:
        async with locked_transaction(conn, ()):
            await probe.store.append(conn, "one", [pending("n", 1)], expected_version=0)
        await probe.store.append_alone(conn, "two", [pending("n", 2)], expected_version=0)
    assert heard == ["", "", SENTINEL]


async def test_the_leading_relay_is_woken_here_and_a_standby_never_takes_its_place(
    probe: Probe,
) -> None:
    # no poll will come: only the in-process wake can make the leader publish
    leader = probe.relay_replica(poll_interval=300.0, batch_size=50)
    probe.run(leader.run())
    await eventually(lambda: _true(leader.leading), timeout=10)
    standby = probe.relay_replica(poll_interval=0.05)
    probe.run(standby.run())
    await asyncio.sleep(0.2)  # the standby has tried for the lease meanwhile
    assert not standby.leading
    async with notifications(probe) as heard:
        await probe.append("published", pending("p", 1))
        await eventually(lambda: _true(leader.published == 1), timeout=10)
    assert heard == [SENTINEL]
    await probe.stop_tasks()
    assert probe.store.local_relay.wake is None  # stood down: appends notify again


async def _true(value: bool) -> bool:
    return value
