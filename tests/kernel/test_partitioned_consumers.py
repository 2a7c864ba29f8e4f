"""Consumer groups over replicas: partitions by subject, claimed in PostgreSQL, handed
over only once the previous holder stopped (probe service, real servers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

from shared.consumer import EventConsumer, Handler, Subscription
from shared.database import Connection, apply_migrations
from shared.envelope import CloudEvent
from shared.messaging import StreamPolicy, ensure_stream
from shared.partitions import PartitionedConsumers
from shared.testing.waiting import eventually
from tests.kernel.probe import Probe, pending, project_amount

PARTITIONS = 4
SUBJECTS = [f"practitioner-{n}" for n in range(12)]
EVENTS_EACH = 8
LEASE = 1.5

HANDLED_DDL = """
CREATE TABLE IF NOT EXISTS probe_handled (
    seq bigserial PRIMARY KEY,
    subject text NOT NULL,
    amount integer NOT NULL,
    replica text NOT NULL
)
"""


def recorded_by(replica: str) -> Handler:
    """The probe's projection, noting which replica handled each event, in order."""

    async def handle(conn: Connection, event: CloudEvent) -> None:
        await project_amount(conn, event)
        await conn.execute(
            "INSERT INTO probe_handled (subject, amount, replica) VALUES ($1, $2, $3)",
            event.subject,
            event.data["amount"],
            replica,
        )

    return handle


class Crashes(PartitionedConsumers):
    """A replica whose process dies: its consumers vanish, its claims stay to expire."""

    async def _leave(self) -> None:
        running = [task for run in self._running.values() for _, _, task in run]
        tasks = [*self._handovers.values(), *running]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def replica(
    probe: Probe, name: str, cls: type[PartitionedConsumers] = PartitionedConsumers
) -> PartitionedConsumers:
    template = EventConsumer(
        pool=probe.pool,
        nats=probe.nats,
        subscription=Subscription(
            durable="probe-group",
            stream=probe.settings.stream_name,
            subjects=[f"{probe.settings.subject_root}.probe.>"],
        ),
        handler=recorded_by(name),
        batch_size=5,
        ack_wait=1.0,
        fetch_timeout=0.5,
    )
    return cls([template], name="probe-group", lease_seconds=LEASE, holder=name)


async def partitioned_probe(probe: Probe) -> None:
    await apply_migrations(probe.pool, "partitions", [HANDLED_DDL])  # claims: kernel
    subjects = [f"{probe.settings.subject_root}.probe.>"]
    js = probe.nats.jetstream()
    await ensure_stream(
        js, probe.settings.stream_name, subjects, StreamPolicy(partitions=PARTITIONS)
    )
    probe.run(probe.relay.run())


async def load(probe: Probe, started: asyncio.Event) -> None:
    """Each subject's amounts 1…N appended in order, a round of all subjects at a time."""
    for amount in range(1, EVENTS_EACH + 1):
        await asyncio.gather(*(probe.append(f"{s}-{amount}", pending(s, amount)) for s in SUBJECTS))
        if amount == 3:
            started.set()
        await asyncio.sleep(0.15)


async def handled(probe: Probe) -> list[tuple[str, int, str]]:
    async with probe.pool.acquire() as conn:
        rows = await conn.fetch("SELECT subject, amount, replica FROM probe_handled ORDER BY seq")
    return [(r["subject"], r["amount"], r["replica"]) for r in rows]


async def all_handled(probe: Probe) -> None:
    async def done() -> bool:
        return len(await handled(probe)) >= len(SUBJECTS) * EVENTS_EACH

    await eventually(done, timeout=30)
    await asyncio.sleep(0.3)  # a second handling would show now


def by_subject(rows: list[tuple[str, int, str]]) -> dict[str, list[tuple[int, str]]]:
    grouped: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for subject, amount, name in rows:
        grouped[subject].append((amount, name))
    return grouped


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_joining_replica_takes_half_the_partitions_and_each_subject_stays_in_order(
    probe: Probe,
) -> None:
    await partitioned_probe(probe)
    first, second = replica(probe, "replica-a"), replica(probe, "replica-b")
    first_task = asyncio.create_task(first.run())
    await eventually(lambda: _holds((first, PARTITIONS)))
    started = asyncio.Event()
    loading = asyncio.create_task(load(probe, started))
    await started.wait()
    second_task = asyncio.create_task(second.run())  # joins while events flow
    try:
        await loading
        await all_handled(probe)
        assert first.held | second.held == set(range(PARTITIONS))
        assert len(first.held) == len(second.held) == PARTITIONS // 2
        rows = await handled(probe)
        assert len(rows) == len(SUBJECTS) * EVENTS_EACH  # each event handled once
        for subject, history in by_subject(rows).items():
            amounts = [amount for amount, _ in history]
            assert amounts == list(range(1, EVENTS_EACH + 1)), subject  # in stream order
            holders = [name for _, name in history]
            # one replica, or one hand-over from the first to the second: never back and forth
            assert holders == sorted(holders), subject
        assert {name for _, _, name in rows} == {"replica-a", "replica-b"}
        handed_over = [s for s, h in by_subject(rows).items() if len({n for _, n in h}) > 1]
        assert handed_over  # partitions moved while their subjects' events were flowing
    finally:
        await stop(second_task)
        await stop(first_task)


async def test_a_crashed_replicas_partitions_fail_over_and_the_other_finishes_their_work(
    probe: Probe,
) -> None:
    await partitioned_probe(probe)
    crashing, survivor = replica(probe, "replica-a", Crashes), replica(probe, "replica-b")
    crashing_task = asyncio.create_task(crashing.run())
    survivor_task = asyncio.create_task(survivor.run())
    try:
        await eventually(lambda: _holds((crashing, 2), (survivor, 2)))
        started = asyncio.Event()
        loading = asyncio.create_task(load(probe, started))
        await started.wait()
        orphaned = crashing.held
        await stop(crashing_task)  # dies holding claims: they expire after the lease
        await loading
        await all_handled(probe)
        assert survivor.held == set(range(PARTITIONS))
        rows = await handled(probe)
        assert sorted((s, a) for s, a, _ in rows) == sorted(
            (s, a) for s in SUBJECTS for a in range(1, EVENTS_EACH + 1)
        )  # every event once, none lost with the crashed replica
        finished = {s for s, a, name in rows if name == "replica-b"}
        crashed_subjects = {s for s, _, name in rows if name == "replica-a"}
        assert crashed_subjects <= finished  # the survivor finished the crashed one's subjects
        assert orphaned and crashed_subjects
        claims = await survivor.claims.holders()
        assert claims == dict.fromkeys(range(PARTITIONS), "replica-b")
    finally:
        await stop(survivor_task)
        await stop(crashing_task)


async def _holds(*expected: tuple[PartitionedConsumers, int]) -> bool:
    return all(len(group.held) == count for group, count in expected)
