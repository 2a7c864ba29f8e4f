"""Outbox relay → JetStream → idempotent consumer, against real servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from datetime import UTC, datetime

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import StreamConfig

from shared.consumer import EventConsumer
from shared.events import DomainEvent, PendingEvent
from shared.eventstore import Checkpoint
from shared.messaging import StreamPolicy, ensure_stream
from shared.relay import LeaseLost, OutboxRelay
from shared.testing.jetstream import received_events
from shared.testing.waiting import eventually
from tests.kernel.probe import AmountRecorded, Probe, pending


async def test_every_committed_event_reaches_the_consumer_once_despite_a_slow_transaction(
    probe: Probe,
) -> None:
    probe.run(probe.relay.run())
    probe.run(probe.consumer().run())
    slow_inserted = asyncio.Event()

    async def slow_writer() -> None:
        async with probe.store.transaction() as conn:
            await probe.store.append(conn, "slow", [pending("slow", 1)], expected_version=None)
            slow_inserted.set()
            await asyncio.sleep(1.5)  # commits after many later positions

    async def writer(n: int) -> None:
        for i in range(10):
            await probe.append(f"w{n}-{i}", pending(f"s{n % 4}", 1))
            await asyncio.sleep(random.uniform(0, 0.01))

    slow = asyncio.create_task(slow_writer())
    await slow_inserted.wait()
    await asyncio.gather(*(writer(n) for n in range(12)), slow)

    expected = await probe.stored_ids()
    assert len(expected) == 121

    async def all_seen() -> bool:
        return len(await probe.seen_ids()) >= len(expected)

    await eventually(all_seen, timeout=30)
    await asyncio.sleep(0.5)  # anything extra would arrive now
    seen = await probe.seen_ids()
    assert sorted(seen) == sorted(expected)  # same ids, none twice
    async with probe.pool.acquire() as conn:
        total = await conn.fetchval("SELECT sum(total) FROM probe_totals")
    assert total == 121


async def test_a_duplicate_publish_of_the_same_event_id_is_dropped_by_jetstream(
    probe: Probe, nats_client: Client
) -> None:
    [stored] = await probe.append("s", pending("p", 2))
    assert await probe.relay.publish_pending() == 1
    js = nats_client.jetstream()
    again = await js.publish(
        probe.relay.subject_for(stored),
        stored.to_cloudevent("probe").to_json(),
        headers={"Nats-Msg-Id": str(stored.event_id)},
    )
    assert again.duplicate is True
    info = await js.stream_info(probe.settings.stream_name)
    assert info.state.messages == 1


async def test_a_consumer_that_crashed_before_ack_resumes_without_double_counting(
    probe: Probe,
) -> None:
    class Crash(BaseException):
        """Stands for the process dying: not an Exception, so nothing catches it."""

    class CrashesAfterFirstCommit(EventConsumer):
        async def after_commit(self, msg: Msg) -> None:
            if self.processed == 0:  # the first batch (3 messages) committed, none acked
                raise Crash

    for i in range(6):
        await probe.append(f"s{i}", pending("p", i + 1))
    await probe.relay.publish_pending()

    crashing = probe.consumer(cls=CrashesAfterFirstCommit, ack_wait=1.0, batch_size=3)
    task = asyncio.create_task(crashing.run())
    with contextlib.suppress(Crash):
        await task
    assert len(await probe.seen_ids()) == 3  # committed, the third never acked

    probe.run(probe.consumer(ack_wait=1.0).run())  # the restarted process

    async def caught_up() -> bool:
        return len(await probe.seen_ids()) == 6

    await eventually(caught_up)
    await asyncio.sleep(1.5)  # past ack_wait: any redelivery has happened
    async with probe.pool.acquire() as conn:
        projected = await conn.fetchval("SELECT total FROM probe_totals WHERE subject = 'p'")
        fresh_fold = await conn.fetchval("SELECT sum((data->>'amount')::int) FROM events")
    assert projected == fresh_fold == 21


async def test_a_poison_event_is_dead_lettered_and_later_events_still_flow(
    probe: Probe,
) -> None:
    probe.run(probe.relay.run())
    probe.run(probe.consumer(max_deliver=3).run())
    await probe.append("a", pending("p", 5))
    [poison] = await probe.append("b", pending("p", -1))
    await probe.append("c", pending("p", 7))

    async def settled() -> bool:
        async with probe.pool.acquire() as conn:
            dead = await conn.fetchval("SELECT count(*) FROM dead_letters")
        return dead == 1 and len(await probe.seen_ids()) == 2

    await eventually(settled, timeout=30)
    async with probe.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT event_id, deliveries, error, payload FROM dead_letters")
        total = await conn.fetchval("SELECT total FROM probe_totals WHERE subject = 'p'")
    assert row["event_id"] == str(poison.event_id)
    assert row["deliveries"] == 3
    assert "poison" in row["error"]
    assert json.loads(row["payload"])["id"] == str(poison.event_id)
    assert total == 12


async def test_an_agency_subscriber_receives_only_its_own_agency_events(
    probe: Probe, nats_client: Client
) -> None:
    probe.run(probe.relay.run())
    await probe.append("a1", pending("p", 1, agency="agency-a"))
    await probe.append("b1", pending("p", 2, agency="agency-b"))
    await probe.append("a2", pending("p", 3, agency="agency-a"))
    root = probe.settings.subject_root

    events = await received_events(nats_client, f"{root}.probe.agency-a.>", count=2)

    assert [e.data["amount"] for e in events] == [1, 3]
    assert {e.agencyid for e in events} == {"agency-a"}


async def test_two_relay_replicas_publish_each_event_once(
    probe: Probe, nats_client: Client
) -> None:
    second = probe.relay_replica()
    probe.run(probe.relay.run())
    probe.run(second.run())
    for i in range(40):
        await probe.append(f"s{i}", pending("p", 1))

    root = probe.settings.subject_root
    events = await received_events(nats_client, f"{root}.probe.>", count=40, settle=1.0)

    assert sorted(e.id for e in events) == sorted(await probe.stored_ids())
    # one replica led; the standby published nothing
    assert sorted([probe.relay.published, second.published]) == [0, 40]


async def test_a_standby_takes_over_when_the_leader_stops_renewing_and_the_old_leader_is_fenced(
    probe: Probe, nats_client: Client
) -> None:
    """A leader that hangs (its session alive, its loop stuck) loses the lease after
    `lease_seconds`; a standby publishes instead, and the hung leader cannot move the
    checkpoint when it wakes."""

    class Hangs(OutboxRelay):
        hang = asyncio.Event()

        async def publish_pending(self) -> int:
            if self.published >= 5:
                await Hangs.hang.wait()  # stuck mid-loop: no renewal, no publishing
            return await super().publish_pending()

    leader = probe.relay_replica(Hangs, lease_seconds=1.5)
    standby = probe.relay_replica(lease_seconds=1.5)
    probe.run(leader.run())

    async def leading() -> bool:
        return leader.leading

    await eventually(leading)
    probe.run(standby.run())
    for i in range(5):
        await probe.append(f"early-{i}", pending("p", 1))

    async def leader_published_five() -> bool:
        return leader.published == 5

    await eventually(leader_published_five)
    for i in range(15):
        await probe.append(f"late-{i}", pending("p", 1))

    async def standby_took_over() -> bool:
        return standby.published == 15

    await eventually(standby_took_over, timeout=15)
    assert leader.published == 5
    async with probe.pool.acquire() as conn:
        holder = await conn.fetchval("SELECT holder FROM relay_leases")
    assert holder == standby.holder
    with pytest.raises(LeaseLost):  # the deposed leader wakes: its checkpoint is refused
        await leader._save_checkpoint(Checkpoint(1 << 40, 1 << 40))
    Hangs.hang.set()
    root = probe.settings.subject_root
    events = await received_events(nats_client, f"{root}.probe.>", count=20, settle=1.0)
    assert sorted(e.id for e in events) == sorted(await probe.stored_ids())


async def test_an_existing_stream_is_never_changed_by_a_service(probe: Probe) -> None:
    """Streams belong to the operator once they exist: limits raised by hand stay."""
    js = probe.nats.jetstream()
    name = probe.settings.stream_name
    subjects = [f"{probe.settings.subject_root}.probe.>"]
    await js.add_stream(
        StreamConfig(name=name, subjects=subjects, max_msgs=12345, duplicate_window=60.0)
    )
    await ensure_stream(js, name, subjects, StreamPolicy(replicas=1, max_bytes=1 << 20))
    await probe.append("s", pending("p", 1))
    assert await probe.relay.publish_pending() == 1
    config = (await js.stream_info(name)).config
    assert config.max_msgs == 12345
    assert config.duplicate_window == 60.0
    assert config.max_bytes in (None, -1)


async def test_a_missing_stream_is_created_with_the_configured_replicas_and_limits(
    probe: Probe,
) -> None:
    js = probe.nats.jetstream()
    name = probe.settings.stream_name + "_NEW"
    subject = f"{probe.settings.subject_root}.fresh.>"
    policy = StreamPolicy(replicas=1, max_age_seconds=86400.0, max_bytes=1 << 20)
    await ensure_stream(js, name, [subject], policy)
    config = (await js.stream_info(name)).config
    assert config.num_replicas == 1
    assert config.max_age == 86400.0
    assert config.max_bytes == 1 << 20
    assert config.duplicate_window == 3600.0


class NoteKept(DomainEvent):
    """A private fact of the probe: kept in its log, never published."""

    note: str


async def test_internal_events_are_passed_over_and_the_others_published_whole(
    probe: Probe, nats_client: Client
) -> None:
    relay = probe.relay_replica(internal_events=frozenset({NoteKept.name}), batch_size=50)

    def kept() -> PendingEvent:
        return PendingEvent(
            event=NoteKept(note="private"),
            agency_id="agency-a",
            subject="p",
            occurred_at=datetime.now(UTC),
            actor="agency-a/u-1",
        )

    told = PendingEvent(
        event=AmountRecorded(amount=4),
        agency_id="agency-a",
        subject="p",
        occurred_at=datetime.now(UTC),
        actor="agency-a/u-1",
        metadata={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )
    stored = await probe.append("s", kept(), pending("p", 3), kept(), told)
    stored += await probe.append("t", kept())

    assert await relay.publish_pending() == 5
    assert relay.published == 2
    root = probe.settings.subject_root
    events = await received_events(nats_client, f"{root}.probe.>", count=2)
    assert events == [stored[1].to_cloudevent("probe"), stored[3].to_cloudevent("probe")]
    assert events[1].actor == "agency-a/u-1" and events[1].traceparent is not None
    assert await relay.lag() == 0


async def test_a_leader_whose_lease_may_have_lapsed_reads_the_checkpoint_its_successor_saved(
    probe: Probe, nats_client: Client
) -> None:
    """A leader remembers the checkpoint it saved only while its lease cannot have
    passed on; after that it reads the stored one and publishes nothing twice."""
    root = probe.settings.subject_root
    sent = await nats_client.subscribe(f"{root}.probe.>")  # every publish, duplicates too
    leader = probe.relay_replica(lease_seconds=0.5)
    successor = probe.relay_replica(lease_seconds=0.5)
    assert await leader._claim(await leader._session())
    leader.leading = True
    await probe.append("first", pending("p", 1))
    assert await leader.publish_pending() == 1
    await asyncio.sleep(0.6)  # the leader's lease lapses and the successor takes over
    assert await successor._claim(await successor._session())
    successor.leading = True
    await probe.append("second", pending("p", 2), pending("p", 3))
    assert await successor.publish_pending() == 2

    assert await leader.publish_pending() == 0

    await asyncio.sleep(0.3)
    assert sent.pending_msgs == 3
    await leader._drop_connection()
    await successor._drop_connection()
