"""A service's consumer groups spread over its replicas, one partition at a time.

Each consumer a service declares (an `EventConsumer`: subscription, handler, hooks) is a
group whose stream is partitioned by NATS (shared/partition_subjects.py). The replicas of
the service claim partition *numbers* in PostgreSQL (shared/partition_claims.py), one
claim for all the service's groups: partition `p` of every stream holds the same
practitioners (the same hash of agency and practitioner), so the replica holding `p`
runs the durable consumer `<durable>-p<p>` of each group and one practitioner's
evidence — from learning, coaching and fidelity alike — is folded by one replica, in
stream order. Every round (a third of the lease) it renews, rebalances when a replica
joins or leaves, and restarts a partition consumer that ended.

A partition changes hands only after its consumers here have stopped: a surplus one is
stopped after the batch in hand, then released; a claim this replica could not renew
for half a lease is stopped before the lease runs out and another replica may take it.
The inbox keeps each group's name, so an event is handled once whatever the
partitioning. A stream without a partition transform (created before) is one partition:
the group's declared durable, run by the holder of partition 0.
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from nats.js.errors import NotFoundError

from shared.consumer import EventConsumer, Subscription
from shared.messaging import ensure_stream
from shared.partition_claims import PartitionClaims
from shared.partition_subjects import (
    fair_share,
    partition_count,
    partition_durable,
    partition_filter,
)
from shared.supervisor import being_cancelled

log = structlog.get_logger(__name__)

# a partition consumer asked to stop gets this long (after its fetch) to finish its batch
HANDOVER_GRACE_SECONDS = 5.0

Running = list[tuple[int, EventConsumer, asyncio.Task[None]]]  # (group index, …)

# what a partition's consumer counts lands on its group's declared consumer at once
COUNTERS = ("processed", "dead_lettered", "delivered", "redelivered")


def _counted_on_group(name: str) -> property:
    def get(self: Any) -> int:
        return int(getattr(self.group, name))

    def put(self: Any, value: int) -> None:
        setattr(self.group, name, value)

    return property(get, put)


def _partition_class(cls: type[EventConsumer]) -> type[EventConsumer]:
    attributes: dict[str, Any] = {name: _counted_on_group(name) for name in COUNTERS}
    return type(f"Partitioned{cls.__name__}", (cls,), attributes)


def replica_holder() -> str:
    """This replica's name in claims: host, process and a random part (two apps in one
    process are two replicas)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class PartitionedConsumers:
    """Runs, for each partition this replica holds, that partition of every group."""

    def __init__(
        self,
        groups: list[EventConsumer],
        *,
        name: str,
        lease_seconds: float,
        holder: str | None = None,
    ) -> None:
        if not groups:
            raise ValueError("no consumer groups to partition")
        self.groups = groups
        self.name = name
        self.lease_seconds = lease_seconds
        self.claims = PartitionClaims(
            groups[0].pool, name, holder or replica_holder(), lease_seconds
        )
        self.counts: list[int] | None = None  # each group's stream partitions (0: none)
        self.members = 0
        self._running: dict[int, Running] = {}
        self._handovers: dict[int, asyncio.Task[None]] = {}  # being stopped, then released
        self._renewed_at = 0.0
        for index, group in enumerate(groups):
            group.lag_source = self._lag_of(index)

    @property
    def holder(self) -> str:
        return self.claims.holder

    @property
    def held(self) -> frozenset[int]:
        return frozenset(self._running)

    @property
    def partitions(self) -> int:
        return max([*(self.counts or []), 1])

    async def run(self) -> None:
        """Claim, consume and rebalance until cancelled; then stop and give all back."""
        interval = self.lease_seconds / 3
        try:
            while True:
                try:
                    await self.rebalance()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    if being_cancelled():
                        raise asyncio.CancelledError from error
                    log.warning("partition_round_failed", consumer=self.name, error=repr(error))
                    await self._stop_if_stale()
                    await asyncio.sleep(min(interval, 0.5))  # try again soon
                    continue
                await asyncio.sleep(interval)
        finally:
            await self._leave()

    async def rebalance(self) -> None:
        """One round: renew and claim, stop what was lost, hand the surplus over (in the
        background: renewing goes on meanwhile), start what is new."""
        interval = self.lease_seconds / 3
        if self.counts is None:
            async with asyncio.timeout(max(interval, 5.0)):
                self.counts = [await self._stream_partitions(g) for g in self.groups]
        count = self.partitions
        began = time.monotonic()
        async with asyncio.timeout(interval):
            outcome = await self.claims.round(count, self.held)
        self._renewed_at = began
        self.members = outcome.members
        for partition in outcome.lost:  # the lease ran out: someone else may hold it now
            await self._stop(partition, graceful=False)
        kept = sorted(outcome.held - self._handovers.keys())
        surplus = kept[fair_share(count, outcome.members) :]
        for partition in surplus:
            self._handovers[partition] = asyncio.create_task(self._hand_over(partition))
        for partition in kept[: len(kept) - len(surplus)]:
            running = self._running.get(partition)
            if running is None or any(task.done() for _, _, task in running):
                await self._stop(partition, graceful=False)
                self._start(partition)

    async def _hand_over(self, partition: int) -> None:
        """Stop the partition's consumers after the batch in hand, then release the claim."""
        try:
            await self._stop(partition, graceful=True)
            async with asyncio.timeout(self.lease_seconds / 3):
                await self.claims.release(frozenset({partition}))
        except Exception as error:  # the claim then expires by itself
            log.warning("partition_release_failed", consumer=self.name, error=repr(error))
        finally:
            self._handovers.pop(partition, None)

    @staticmethod
    async def _stream_partitions(group: EventConsumer) -> int:
        """The partitions of the group's stream (0: none, one unpartitioned consumer)."""
        sub = group.subscription
        root, service = sub.subjects[0].split(".")[:2]
        await group.nats.wait_connected()
        js = group.nats.jetstream()
        await ensure_stream(js, sub.stream, [f"{root}.{service}.>"], group.streams)
        info = await js.stream_info(sub.stream)
        return partition_count(info.config) or 0

    def _start(self, partition: int) -> None:
        running: Running = []
        for index, group in enumerate(self.groups):
            consumer = self._partition_consumer(index, partition)
            if consumer is not None:
                task = asyncio.create_task(consumer.run(), name=f"{group.name}-p{partition}")
                running.append((index, consumer, task))
        self._running[partition] = running
        log.info("partition_started", consumer=self.name, partition=partition, holder=self.holder)

    def _partition_consumer(self, index: int, partition: int) -> EventConsumer | None:
        """Group `index` bound to one partition's durable and filter (None: its stream has
        no such partition); it keeps the group's name (inbox rows, dead letters)."""
        group = self.groups[index]
        count = (self.counts or [])[index] if self.counts else 0
        if partition >= max(count, 1):
            return None
        consumer = copy.copy(group)
        consumer.__class__ = _partition_class(type(group))
        consumer.group = group  # type: ignore[attr-defined]
        if count:
            sub = group.subscription
            consumer.subscription = Subscription(
                durable=partition_durable(sub.durable, partition),
                stream=sub.stream,
                subjects=[partition_filter(s, partition) for s in sub.subjects],
                superseded=tuple(partition_filter(s, partition) for s in sub.superseded),
            )
        consumer.pending = None
        consumer.lag_source = None
        consumer._psub = None
        consumer._stopping = False
        return consumer

    async def _stop(self, partition: int, *, graceful: bool) -> None:
        """Stop one partition's consumers and wait until they have (then it may move)."""
        running = self._running.pop(partition, None)
        if running is None:
            return
        tasks = {task for _, _, task in running}
        try:
            if graceful:
                for _, consumer, _ in running:
                    consumer.request_stop()
                grace = max(c.fetch_timeout + c.gather_seconds for _, c, _ in running)
                grace += HANDOVER_GRACE_SECONDS
                await asyncio.wait(tasks, timeout=grace)
        finally:  # even when cancelled: no consumer outlives its claim here
            for task in tasks:
                if not task.done():
                    task.cancel()
            if tasks:
                await asyncio.wait(tasks)
        log.info("partition_stopped", consumer=self.name, partition=partition, holder=self.holder)

    async def _stop_if_stale(self) -> None:
        """Claims not renewed for half a lease: stop before another replica may take them."""
        if self._running and time.monotonic() - self._renewed_at > self.lease_seconds / 2:
            for partition in list(self._running):
                await self._stop(partition, graceful=False)

    def _lag_of(self, index: int) -> Callable[[], Awaitable[int | None]]:
        async def lag() -> int | None:
            return await self.lag(index)

        return lag

    async def lag(self, index: int) -> int | None:
        """Messages still waiting in every partition of group `index`, whichever replica
        holds it (the same figure on every replica); None before the streams are known."""
        if self.counts is None:
            return None
        group = self.groups[index]
        sub = group.subscription
        count = self.counts[index]
        durables = [partition_durable(sub.durable, p) for p in range(count)] or [sub.durable]
        js = group.nats.jetstream()
        waiting = 0
        for durable in durables:
            try:
                info = await js.consumer_info(sub.stream, durable)
            except NotFoundError:
                continue  # not consumed yet by any replica
            waiting += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return waiting

    async def position(self, index: int) -> tuple[int | None, int | None, int | None]:
        """Group `index` over its partitions' durables: the last stream sequence delivered
        (highest), the ack floor (lowest) and the messages still pending (sum)."""
        if self.counts is None:
            return None, None, None
        group = self.groups[index]
        sub = group.subscription
        count = self.counts[index]
        durables = [partition_durable(sub.durable, p) for p in range(count)] or [sub.durable]
        js = group.nats.jetstream()
        delivered: list[int] = []
        floors: list[int] = []
        pending = 0
        for durable in durables:
            try:
                info = await js.consumer_info(sub.stream, durable)
            except NotFoundError:
                continue  # not consumed yet by any replica
            delivered.append(info.delivered.stream_seq or 0 if info.delivered else 0)
            floors.append(info.ack_floor.stream_seq or 0 if info.ack_floor else 0)
            pending += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return (max(delivered, default=None), min(floors, default=None), pending)

    async def _leave(self) -> None:
        """Stop every partition's consumers, then give the claims back (a clean stop)."""
        handovers = list(self._handovers.values())
        for handover in handovers:
            handover.cancel()
        await asyncio.gather(*handovers, return_exceptions=True)
        for partition in list(self._running):
            await self._stop(partition, graceful=False)
        try:
            async with asyncio.timeout(1.0):
                await self.claims.leave()
        except Exception as error:  # the claims then expire by themselves
            log.warning("partition_leave_failed", consumer=self.name, error=repr(error))
