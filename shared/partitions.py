"""A consumer group spread over a service's replicas, one partition at a time.

Each consumer a service declares (an `EventConsumer`: subscription, handler, hooks) is
run by a `PartitionedConsumer`: it reads the stream's partition count from the stream's
subject transform (shared/partition_subjects.py), claims its fair share of the partitions
in PostgreSQL (shared/partition_claims.py) and runs one durable pull consumer per held
partition (`<durable>-p<n>`), so one practitioner's events are handled by one replica,
in stream order. Every round (a third of the lease) it renews, rebalances when a
replica joins or leaves, and restarts a partition consumer that ended.

A partition changes hands only after its consumer here has stopped: a surplus one is
stopped after the batch in hand, then released; a claim this replica could not renew
for half a lease is stopped before the lease runs out and another replica may take it.
The inbox keeps the group's name, so an event is handled once whatever the partitioning.
A stream without a partition transform (created before) is one partition: the
declared durable itself, consumed by one replica at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import socket
import time
import uuid

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


def replica_holder() -> str:
    """This replica's name in claims: host, process and a random part (two apps in one
    process are two replicas)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class PartitionedConsumer:
    """Runs the partitions of `template`'s group this replica holds."""

    def __init__(
        self, template: EventConsumer, *, lease_seconds: float, holder: str | None = None
    ) -> None:
        self.template = template
        self.name = template.name
        self.lease_seconds = lease_seconds
        self.claims = PartitionClaims(
            template.pool, template.name, holder or replica_holder(), lease_seconds
        )
        self.partitions: int | None = None  # None: the stream has no partition transform
        self.members = 0
        self._running: dict[int, tuple[EventConsumer, asyncio.Task[None]]] = {}
        self._renewed_at = 0.0
        self._retired = (0, 0)  # processed, dead-lettered by partition consumers now gone
        template.lag_source = self.lag

    @property
    def holder(self) -> str:
        return self.claims.holder

    @property
    def held(self) -> frozenset[int]:
        return frozenset(self._running)

    async def run(self) -> None:
        """Claim, consume and rebalance until cancelled; then stop and give all back."""
        interval = self.lease_seconds / 3
        try:
            while True:
                try:
                    async with asyncio.timeout(interval):
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
                self._report()
                await asyncio.sleep(interval)
        finally:
            await self._leave()

    async def rebalance(self) -> None:
        """One round: renew and claim, stop what was lost or is surplus, start what is new."""
        if self.partitions is None:
            self.partitions = await self._stream_partitions()
        count = self.partitions or 1
        began = time.monotonic()
        outcome = await self.claims.round(count, self.held)
        self._renewed_at = began
        self.members = outcome.members
        for partition in outcome.lost:  # the lease ran out: someone else may hold it now
            await self._stop(partition, graceful=False)
        surplus = sorted(outcome.held)[fair_share(count, outcome.members) :]
        for partition in surplus:
            await self._stop(partition, graceful=True)
        await self.claims.release(frozenset(surplus))
        for partition in sorted(outcome.held - set(surplus)):
            running = self._running.get(partition)
            if running is None or running[1].done():
                self._start(partition)

    async def _stream_partitions(self) -> int:
        """The partitions of the stream (0: none, one unpartitioned consumer)."""
        sub = self.template.subscription
        root, service = sub.subjects[0].split(".")[:2]
        await self.template.nats.wait_connected()
        js = self.template.nats.jetstream()
        await ensure_stream(js, sub.stream, [f"{root}.{service}.>"], self.template.streams)
        info = await js.stream_info(sub.stream)
        return partition_count(info.config) or 0

    def _start(self, partition: int) -> None:
        consumer = self._partition_consumer(partition)
        task = asyncio.create_task(consumer.run(), name=f"{self.name}-p{partition}")
        self._running[partition] = (consumer, task)
        log.info("partition_started", consumer=self.name, partition=partition, holder=self.holder)

    def _partition_consumer(self, partition: int) -> EventConsumer:
        """The template bound to one partition's durable and filter; it keeps the group's
        name (its inbox rows and dead letters are the group's)."""
        if not self.partitions:
            consumer = copy.copy(self.template)
        else:
            sub = self.template.subscription
            consumer = copy.copy(self.template)
            consumer.subscription = Subscription(
                durable=partition_durable(sub.durable, partition),
                stream=sub.stream,
                subjects=[partition_filter(s, partition) for s in sub.subjects],
            )
        consumer.processed = consumer.dead_lettered = 0
        consumer.pending = None
        consumer.lag_source = None
        consumer._psub = None
        consumer._stopping = False
        return consumer

    async def _stop(self, partition: int, *, graceful: bool) -> None:
        """Stop one partition's consumer and wait until it has (then it may move)."""
        running = self._running.pop(partition, None)
        if running is None:
            return
        consumer, task = running
        if graceful:
            consumer.request_stop()
            grace = consumer.fetch_timeout + HANDOVER_GRACE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), grace)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        processed, dead = self._retired
        self._retired = (processed + consumer.processed, dead + consumer.dead_lettered)
        log.info("partition_stopped", consumer=self.name, partition=partition, holder=self.holder)

    async def _stop_if_stale(self) -> None:
        """Claims not renewed for half a lease: stop before another replica may take them."""
        if self._running and time.monotonic() - self._renewed_at > self.lease_seconds / 2:
            for partition in list(self._running):
                await self._stop(partition, graceful=False)

    def _report(self) -> None:
        """The group's counts on the declared consumer (what /metrics and /readyz read)."""
        consumers = [consumer for consumer, _ in self._running.values()]
        processed, dead = self._retired
        self.template.processed = processed + sum(c.processed for c in consumers)
        self.template.dead_lettered = dead + sum(c.dead_lettered for c in consumers)

    async def lag(self) -> int | None:
        """Messages still waiting in every partition of the group, whichever replica holds
        it (the same figure on every replica); None before the partitions are known."""
        if self.partitions is None:
            return None
        sub = self.template.subscription
        durables = [partition_durable(sub.durable, p) for p in range(self.partitions)]
        js = self.template.nats.jetstream()
        waiting = 0
        for durable in durables or [sub.durable]:
            try:
                info = await js.consumer_info(sub.stream, durable)
            except NotFoundError:
                continue  # not consumed yet by any replica
            waiting += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return waiting

    async def _leave(self) -> None:
        """Stop every partition consumer, then give the claims back (a clean stop)."""
        for partition in list(self._running):
            await self._stop(partition, graceful=False)
        self._report()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await self.claims.leave()
