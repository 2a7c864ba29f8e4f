"""A consumer that finds a backlog gathers what keeps arriving into one batch."""

from __future__ import annotations

import asyncio

from nats.js.errors import NotFoundError

from shared.database import Connection
from shared.envelope import CloudEvent
from shared.testing.waiting import eventually
from tests.kernel.probe import Probe, pending

BURSTS, PER_BURST = 3, 20


async def test_a_backlog_arriving_in_bursts_is_one_batch_and_a_lone_event_is_taken_alone(
    probe: Probe,
) -> None:
    batches: list[int] = []

    async def noted(conn: Connection, events: list[CloudEvent]) -> None:
        batches.append(len(events))

    consumer = probe.consumer(
        batch_size=1000, gather_seconds=30.0, gather_quiet=(2.0, 2.0), finish=noted
    )
    probe.run(probe.relay.run())
    # bursts of events, as an upstream import commits them: each one transaction,
    # published by the relay as it lands; the first is waiting when the consumer
    # starts, the others arrive while it is gathered
    await probe.append("burst-0", *[pending("s", 1) for _ in range(PER_BURST)])
    js = probe.nats.jetstream()

    async def first_burst_published() -> bool:
        try:
            info = await js.stream_info(probe.settings.stream_name)
        except NotFoundError:  # the relay creates the stream with its first publish
            return False
        return (info.state.messages or 0) >= PER_BURST

    await eventually(first_burst_published, timeout=30)
    probe.run(consumer.run())
    for burst in range(1, BURSTS):
        await asyncio.sleep(0.1)
        await probe.append(f"burst-{burst}", *[pending("s", 1) for _ in range(PER_BURST)])

    async def taken_in() -> bool:
        return sum(batches) >= BURSTS * PER_BURST

    await eventually(taken_in, timeout=30)
    assert batches == [BURSTS * PER_BURST]

    await probe.append("alone", pending("s", 1))  # nothing behind it: not gathered

    async def lone_taken_in() -> bool:
        return len(batches) == 2

    await eventually(lone_taken_in, timeout=30)
    assert batches == [BURSTS * PER_BURST, 1]
    assert len(await probe.seen_ids()) == BURSTS * PER_BURST + 1
