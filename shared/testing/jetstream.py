"""Reading what a service published, the way an agency app would: from JetStream."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from shared.envelope import CloudEvent


async def received_events(
    client: Client,
    subject: str,
    *,
    count: int,
    timeout: float = 20.0,
    settle: float = 0.3,
) -> list[CloudEvent]:
    """Every CloudEvent on `subject` (wildcards allowed) from the stream's start.

    Waits until `count` arrived (failing after `timeout`), then `settle` seconds more so a
    test also sees an unexpected extra (a duplicate) rather than stopping at `count`.
    """
    js = client.jetstream()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:  # the stream appears with the service's first publish
        try:
            sub = await js.subscribe(
                subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
            )
            break
        except NotFoundError:
            if loop.time() > deadline:
                raise AssertionError(f"no stream holds {subject!r} after {timeout}s") from None
            await asyncio.sleep(0.1)
    events: list[CloudEvent] = []
    try:
        while len(events) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"{len(events)} of {count} events on {subject!r} within {timeout}s: "
                    f"{[e.type for e in events]}"
                )
            try:
                msg = await sub.next_msg(timeout=remaining)
            except TimeoutError:
                continue
            events.append(CloudEvent.from_json(msg.data))
        while True:
            try:
                msg = await sub.next_msg(timeout=settle)
            except TimeoutError:
                break
            events.append(CloudEvent.from_json(msg.data))
    finally:
        await sub.unsubscribe()
    return events
