"""Durable JetStream pull consumers whose handlers are idempotent by construction.

A fetched batch is handled in one PostgreSQL transaction: the batch's event ids (and
stream sequences) go into `consumer_inbox` in one statement, so a redelivered or
duplicate event finds its id already there and changes nothing, then each new message
runs the handler. Should one fail, the transaction is redone with a savepoint per
message, so a failing one is rolled back alone (its inbox row with it) and the others
go on. The batch commits once, then every message is acked.
Optional hooks see the whole batch: `prepare` (e.g. take locks in a fixed order) and
`finish` (e.g. re-evaluate each touched aggregate once). If the batch transaction fails
as a whole, each message is retried in a transaction of its own. A handler that keeps
failing sends the event to `dead_letters` with its error, and the stream moves on.
With `gather_seconds`, a batch that finds a backlog goes on taking what arrives for up
to that long (see `_fetch`), so a `finish` hook runs once for many more messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from shared.consumer_inbox import INBOX_INSERT, first_time, first_times, forget
from shared.database import Connection, Pool, is_unavailable
from shared.envelope import CloudEvent
from shared.messaging import NatsConnection, StreamPolicy, ensure_stream
from shared.supervisor import being_cancelled
from shared.tracing import consumer_span
from shared.transactions import locked_transaction

log = structlog.get_logger(__name__)

# how long the fetch of messages known to be waiting may take before it gives up
_WAITING_SECONDS = 0.05
# while a batch gathers a backlog, the longest and shortest wait for a next message
# (between them: as long as the last batch's `finish` took, see `_quiet_seconds`)
_GATHER_QUIET_SECONDS = (0.05, 0.5)

Handler = Callable[[Connection, CloudEvent], Awaitable[None]]
# sees the batch's events (prepare: all parsed ones; finish: those handled the first time)
BatchHook = Callable[[Connection, list[CloudEvent]], Awaitable[None]]


@dataclass
class Deliveries:
    """Messages fetched, and of them those delivered before (for /metrics)."""

    delivered: int = 0
    redelivered: int = 0


@dataclass(frozen=True)
class Subscription:
    """What a consumer reads: a durable name on a stream, filtered by subjects.

    `superseded`: the filters an earlier release created this durable with, wider than
    `subjects` (e.g. the whole stream). A durable found filtered exactly so is narrowed
    to `subjects` when bound, keeping its position (what it skips from then on its
    handler would have ignored); any other existing durable is the operator's and is
    bound as it is."""

    durable: str
    stream: str
    subjects: list[str]
    superseded: tuple[str, ...] = ()


class EventConsumer:
    def __init__(
        self,
        *,
        pool: Pool,
        nats: NatsConnection,
        subscription: Subscription,
        handler: Handler,
        batch_size: int = 100,
        max_deliver: int = 5,
        ack_wait: float = 10.0,
        fetch_timeout: float = 1.0,
        gather_seconds: float = 0.0,
        gather_quiet: tuple[float, float] = _GATHER_QUIET_SECONDS,
        prepare: BatchHook | None = None,
        finish: BatchHook | None = None,
        streams: StreamPolicy | None = None,
    ) -> None:
        self.pool = pool
        self.nats = nats
        self.subscription = subscription
        self.handler = handler
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self.fetch_timeout = fetch_timeout
        # how long a batch may go on gathering messages while a backlog lasts
        self.gather_seconds = gather_seconds
        self.gather_quiet = gather_quiet
        self._last_finish_seconds = 0.0
        self.prepare = prepare
        self.finish = finish
        self.streams = streams or StreamPolicy()
        self.name = subscription.durable
        self.processed = 0
        self.dead_lettered = 0
        # shared by the partition copies of this consumer (a shallow copy keeps the same
        # object), so the declared consumer counts what all its partitions fetched
        self.deliveries = Deliveries()
        # told each handler's duration in seconds (the metrics' histogram)
        self.observe_processing: Callable[[float], None] = lambda _seconds: None
        self.pending: int | None = None  # messages the server still holds for us
        self._psub: JetStreamContext.PullSubscription | None = None
        self._stopping = False
        # the lag of the whole group, when this consumer is declared for a partitioned one
        self.lag_source: Callable[[], Awaitable[int | None]] | None = None

    def request_stop(self) -> None:
        """End `run` once the batch in hand is committed and acked (a partition handed
        over to another replica is never consumed by two at once)."""
        self._stopping = True

    async def _bind(self) -> JetStreamContext.PullSubscription:
        js = self.nats.jetstream()
        sub = self.subscription
        # the producing service may not have started yet: its stream is created by whoever
        # comes first, with the same config
        service = sub.subjects[0].split(".")[1]
        root = sub.subjects[0].split(".")[0]
        await ensure_stream(js, sub.stream, [f"{root}.{service}.>"], self.streams)
        try:  # an existing consumer belongs to the operator: bind to it as it is
            info = await js.consumer_info(sub.stream, sub.durable)
            filters = filters_of(info.config)
            if sub.superseded and filters == list(sub.superseded) != sub.subjects:
                await self._narrow(js, info.config)
            return await js.pull_subscribe_bind(sub.durable, sub.stream)
        except NotFoundError:
            pass
        config = ConsumerConfig(
            durable_name=sub.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=-1,  # we count deliveries ourselves and dead-letter
            max_ack_pending=max(self.batch_size * 10, 1000),
            filter_subjects=sub.subjects if len(sub.subjects) > 1 else None,
            filter_subject=sub.subjects[0] if len(sub.subjects) == 1 else None,
        )
        await js.add_consumer(sub.stream, config)
        return await js.pull_subscribe_bind(sub.durable, sub.stream)

    async def _narrow(self, js: JetStreamContext, config: ConsumerConfig) -> None:
        """Update a durable still filtered by `superseded` to `subjects`, keeping the rest
        of its config and its position (a create of the same durable is an update)."""
        subjects = self.subscription.subjects
        narrowed = replace(
            config,
            name=None,  # created by durable name: the grant a service user holds
            filter_subject=subjects[0] if len(subjects) == 1 else None,
            filter_subjects=subjects if len(subjects) > 1 else None,
        )
        await js.add_consumer(self.subscription.stream, narrowed)
        log.info(
            "consumer_narrowed",
            consumer=self.name,
            durable=self.subscription.durable,
            was=filters_of(config),
            now=subjects,
        )

    async def run(self) -> None:
        """Consume until `request_stop` (or cancel the task). Survives NATS outages."""
        backoff = 0.2
        while not self._stopping:
            try:
                await self.nats.wait_connected()
                psub = await self._bind()
                self._psub = psub
                backoff = 0.2
                while not self._stopping:
                    if being_cancelled():  # a cancel some library swallowed: honour it
                        raise asyncio.CancelledError
                    await self.consume_batch(psub)
                with contextlib.suppress(Exception):  # no more pulls land here
                    await psub.unsubscribe()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if being_cancelled():
                    raise asyncio.CancelledError from error
                self._psub = None
                log.warning("consumer_failed", consumer=self.name, error=repr(error))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _fetch(self, psub: JetStreamContext.PullSubscription) -> list[Msg]:
        """Up to a batch: wait (up to `fetch_timeout`) for one message, then take at once
        those already waiting behind it; while a backlog lasts, keep taking for up to
        `gather_seconds` what arrives meanwhile.

        The wait asks for one message only: a pull request for a whole batch stays open
        on the server once its first message is delivered, until it expires, and a
        message that later reaches it is held with it (up to `fetch_timeout`) instead
        of being handled at once. Without a backlog (nothing waits behind the first
        message) the batch is that message: no delay at light load. With one, a larger
        batch costs less per message (its `finish` hook, e.g. re-evaluating each
        touched aggregate, runs once for all of them)."""
        messages = await psub.fetch(1, timeout=self.fetch_timeout)
        if self.batch_size == 1 or not messages or messages[-1].metadata.num_pending == 0:
            return messages
        deadline = time.monotonic() + self.gather_seconds
        while len(messages) < self.batch_size and not self._stopping:
            if messages[-1].metadata.num_pending:
                wait = _WAITING_SECONDS  # answered at once: the timeout is only a guard
            elif (left := deadline - time.monotonic()) > 0:
                wait = min(left, self._quiet_seconds())  # for what is being published
            else:
                break
            try:
                messages += await psub.fetch(self.batch_size - len(messages), timeout=wait)
            except (NatsTimeoutError, TimeoutError):
                if being_cancelled():
                    raise asyncio.CancelledError from None
                break  # nothing came: the backlog is over (or its producer paused)
            if time.monotonic() >= deadline:
                break
        return messages

    def _quiet_seconds(self) -> float:
        """How long a gathering batch waits for a next message before it is taken in: as
        long as the last batch's `finish` took (waiting longer than one more batch costs
        saves nothing), within `gather_quiet` (shortest, longest)."""
        shortest, longest = self.gather_quiet
        return min(max(self._last_finish_seconds, shortest), longest)

    async def consume_batch(self, psub: JetStreamContext.PullSubscription) -> int:
        try:
            messages = await self._fetch(psub)
        except (NatsTimeoutError, TimeoutError):
            if being_cancelled():  # nats-py turns a cancelled fetch into a timeout
                raise asyncio.CancelledError from None
            return 0
        self.deliveries.delivered += len(messages)
        self.deliveries.redelivered += sum(1 for m in messages if m.metadata.num_delivered > 1)
        parsed: list[tuple[Msg, CloudEvent]] = []
        for msg in messages:
            try:
                parsed.append((msg, CloudEvent.from_json(msg.data)))
            except (ValidationError, ValueError) as error:
                await self._dead_letter(msg, None, f"not a CloudEvent: {error}")
        if not parsed:
            return len(messages)
        try:
            failures = await self._handle_together(parsed)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if being_cancelled():
                raise asyncio.CancelledError from error
            log.warning("batch_failed", consumer=self.name, size=len(parsed), error=repr(error))
            for msg, event in parsed:  # one by one, so only the bad one is held back
                await self._handle_alone(msg, event)
            return len(messages)
        await self.after_commit(parsed[-1][0])
        for msg, event in parsed:
            failure = failures.get(id(msg))
            if failure is None:
                await msg.ack()
                self.processed += 1
            else:
                await self._retry_or_dead_letter(msg, event, failure)
        return len(messages)

    async def _handle_together(self, batch: list[tuple[Msg, CloudEvent]]) -> dict[int, Exception]:
        """One transaction for the batch; the failures by message.

        First without savepoints (a round trip each saved): the inbox rows of the whole
        batch in one statement, then every handler. Should a handler fail, that
        transaction is rolled back and the batch redone with a savepoint per message,
        so only the failing ones are held back."""
        try:
            async with self.pool.acquire() as conn, locked_transaction(conn, ()):
                await self._handle_batch(conn, batch, None)
            return {}
        except Exception as error:
            if is_unavailable(error) or being_cancelled():
                raise  # the connection is gone: the whole batch is retried
        failures: dict[int, Exception] = {}
        async with self.pool.acquire() as conn, locked_transaction(conn, ()):
            await self._handle_batch(conn, batch, failures)
        return failures

    async def _handle_batch(
        self,
        conn: Connection,
        batch: list[tuple[Msg, CloudEvent]],
        failures: dict[int, Exception] | None,
    ) -> None:
        """Inbox rows, handlers and hooks of a batch inside `conn`'s transaction. With
        `failures` (a dict), each handler runs in a savepoint and a failing one is
        recorded there, its inbox row removed; without, any failure propagates."""
        if self.prepare is not None:
            await self.prepare(conn, [event for _, event in batch])
        new = await first_times(conn, self.name, batch)
        handled: list[tuple[Msg, CloudEvent]] = []
        failed: list[str] = []
        for msg, event in new:
            if failures is None:
                await self._handle_traced(conn, msg, event)
                handled.append((msg, event))
                continue
            try:
                async with conn.transaction():
                    await self._handle_traced(conn, msg, event)
                handled.append((msg, event))
            except Exception as error:
                if is_unavailable(error):
                    raise  # the connection is gone: the whole batch is retried
                failures[id(msg)] = error
                failed.append(event.id)
        if failed:  # retried later: not yet seen
            await forget(conn, self.name, failed)
        if self.finish is not None and handled:
            # in the trace of the batch's last event, linked to the others'
            with consumer_span(self.name, "finish", handled):
                started = time.perf_counter()
                await self.finish(conn, [event for _, event in handled])
                self._last_finish_seconds = time.perf_counter() - started

    async def _handle_alone(self, msg: Msg, event: CloudEvent) -> None:
        try:
            async with self.pool.acquire() as conn, locked_transaction(conn, ()):
                if self.prepare is not None:
                    await self.prepare(conn, [event])
                if await first_time(conn, self.name, msg, event):
                    await self._handle_traced(conn, msg, event)
                    if self.finish is not None:
                        with consumer_span(self.name, "finish", [(msg, event)]):
                            await self.finish(conn, [event])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if being_cancelled():
                raise asyncio.CancelledError from error
            await self._retry_or_dead_letter(msg, event, error)
            return
        await self.after_commit(msg)
        await msg.ack()
        self.processed += 1

    async def _handle_traced(self, conn: Connection, msg: Msg, event: CloudEvent) -> None:
        """The handler, timed, in a span continuing the event's trace."""
        started = time.perf_counter()
        with consumer_span(self.name, "process", [(msg, event)]):
            await self.handler(conn, event)
        self.observe_processing(time.perf_counter() - started)

    async def _retry_or_dead_letter(self, msg: Msg, event: CloudEvent, error: Exception) -> None:
        deliveries = msg.metadata.num_delivered
        if deliveries >= self.max_deliver:
            await self._dead_letter(msg, event.id, repr(error))
        else:
            log.warning("handler_failed", consumer=self.name, event_id=event.id, error=repr(error))
            await msg.nak(delay=min(0.2 * 2**deliveries, 10.0))

    async def sample_pending(self) -> int | None:
        """Ask the server how many messages still wait for this consumer (its lag)."""
        if self.lag_source is not None:
            self.pending = await self.lag_source()
            return self.pending
        if self._psub is None:
            return self.pending
        info = await self._psub.consumer_info()
        self.pending = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return self.pending

    async def after_commit(self, msg: Msg) -> None:
        """A seam between commit and ack (where a crash leaves a redelivery behind)."""

    async def _dead_letter(self, msg: Msg, event_id: str | None, error: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO dead_letters (consumer, event_id, subject, stream_seq, deliveries,"
                " error, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                self.name,
                event_id,
                msg.subject,
                msg.metadata.sequence.stream,
                msg.metadata.num_delivered,
                error,
                msg.data,
            )
            if event_id is not None:
                await conn.execute(
                    INBOX_INSERT,
                    self.name,
                    event_id,
                    msg.metadata.sequence.stream,
                )
        self.dead_lettered += 1
        log.error("dead_lettered", consumer=self.name, event_id=event_id, error=error)
        with contextlib.suppress(Exception):
            await msg.term()


def filters_of(config: ConsumerConfig) -> list[str]:
    """A consumer's filter subjects, however the server holds them (one or several)."""
    if config.filter_subjects:
        return list(config.filter_subjects)
    return [config.filter_subject] if config.filter_subject else []
