"""An event travels on as soon as it can: an older open transaction that holds it behind
the relay's commit-safe fence delays it only until that transaction ends, not until the
next append's NOTIFY or the next poll."""

from __future__ import annotations

import asyncio

from shared.database import connect
from shared.testing.waiting import eventually
from tests.kernel.probe import Probe, pending


async def test_an_event_held_back_by_an_older_open_transaction_is_published_once_it_ends(
    probe: Probe,
) -> None:
    # no poll will come: only the append's NOTIFY and the relay's look at the fence
    relay = probe.relay_replica(poll_interval=300.0, batch_size=50)
    probe.run(relay.run())
    await eventually(lambda: _true(relay.leading), timeout=10)
    older = await connect(probe.settings)
    try:
        async with older.transaction():
            await older.fetchval("SELECT pg_current_xact_id()")  # an id: it holds the fence
            [event] = await probe.append("held", pending("h", 1))
            await asyncio.sleep(0.3)  # the relay has looked meanwhile
            assert relay.published == 0  # behind the fence while the older one is open
        await eventually(lambda: _true(relay.published == 1), timeout=10)
    finally:
        await older.close()
    assert event.stream_id == "held"


async def _true(value: bool) -> bool:
    return value
