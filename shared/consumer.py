"""Durable JetStream pull consumers whose handlers are idempotent by construction.

Each message is handled in one PostgreSQL transaction that also records the event id
(and its stream sequence) in `consumer_inbox`; a redelivered or duplicate event finds
its id already there and changes nothing. A handler that keeps failing sends the event
to `dead_letters` with its error, and the stream moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from pydantic import ValidationError

from shared.database import Connection, Pool
from shared.envelope import CloudEvent
from shared.messaging import NatsConnection, ensure_stream

log = structlog.get_logger(__name__)

CONSUMER_DDL = [
    """
    CREATE TABLE IF NOT EXISTS consumer_inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        stream_seq bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dead_letters (
        id bigserial PRIMARY KEY,
        consumer text NOT NULL,
        event_id text,
        subject text NOT NULL,
        stream_seq bigint NOT NULL,
        deliveries integer NOT NULL,
        error text NOT NULL,
        payload bytea NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
    )
    """,
]

_INBOX_INSERT = (
    "INSERT INTO consumer_inbox (consumer, event_id, stream_seq) VALUES ($1, $2, $3)"
    " ON CONFLICT DO NOTHING"
)

Handler = Callable[[Connection, CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """What a consumer reads: a durable name on a stream, filtered by subjects."""

    durable: str
    stream: str
    subjects: list[str]


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
        ack_wait: float = 30.0,
        fetch_timeout: float = 1.0,
    ) -> None:
        self.pool = pool
        self.nats = nats
        self.subscription = subscription
        self.handler = handler
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self.fetch_timeout = fetch_timeout
        self.name = subscription.durable
        self.processed = 0

    async def _bind(self) -> JetStreamContext.PullSubscription:
        js = self.nats.jetstream()
        sub = self.subscription
        # the producing service may not have started yet: its stream is created by whoever
        # comes first, with the same config
        service = sub.subjects[0].split(".")[1]
        root = sub.subjects[0].split(".")[0]
        await ensure_stream(js, sub.stream, [f"{root}.{service}.>"])
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

    async def run(self) -> None:
        """Consume forever; cancel the task to stop. Survives NATS outages."""
        backoff = 0.2
        while True:
            try:
                await self.nats.wait_connected()
                psub = await self._bind()
                backoff = 0.2
                while True:
                    await self.consume_batch(psub)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("consumer_failed", consumer=self.name, error=repr(error))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def consume_batch(self, psub: JetStreamContext.PullSubscription) -> int:
        try:
            messages = await psub.fetch(self.batch_size, timeout=self.fetch_timeout)
        except (NatsTimeoutError, TimeoutError):
            return 0
        for msg in messages:
            await self.handle_message(msg)
        return len(messages)

    async def handle_message(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        try:
            event = CloudEvent.from_json(msg.data)
        except (ValidationError, ValueError) as error:
            await self._dead_letter(msg, None, f"not a CloudEvent: {error}")
            return
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                first_time = await conn.fetchval(
                    _INBOX_INSERT + " RETURNING true",
                    self.name,
                    event.id,
                    seq,
                )
                if first_time:
                    await self.handler(conn, event)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            deliveries = msg.metadata.num_delivered
            if deliveries >= self.max_deliver:
                await self._dead_letter(msg, event.id, repr(error))
            else:
                log.warning(
                    "handler_failed", consumer=self.name, event_id=event.id, error=repr(error)
                )
                await msg.nak(delay=min(0.2 * 2**deliveries, 10.0))
            return
        await self.after_commit(msg)
        await msg.ack()
        self.processed += 1

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
                    _INBOX_INSERT,
                    self.name,
                    event_id,
                    msg.metadata.sequence.stream,
                )
        log.error("dead_lettered", consumer=self.name, event_id=event_id, error=error)
        with contextlib.suppress(Exception):
            await msg.term()
