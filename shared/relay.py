"""The transactional outbox relay: committed events → JetStream, exactly once downstream.

It reads the event store in commit-safe order from its checkpoint, publishes a batch with
`Nats-Msg-Id` = event id (JetStream drops a re-publish inside the duplicate window),
waits for the acks, and advances the checkpoint past the longest acknowledged prefix.
Woken by LISTEN/NOTIFY on append; polls as a fallback. NATS being down only delays it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from nats.js.api import PubAck

from shared.config import event_subject
from shared.database import Connection, Pool
from shared.events import StoredEvent
from shared.eventstore import Checkpoint, EventStore
from shared.messaging import NatsConnection, ensure_stream

log = structlog.get_logger(__name__)

RELAY_DDL = [
    """
    CREATE TABLE IF NOT EXISTS relay_checkpoints (
        relay text PRIMARY KEY,
        tx_id xid8 NOT NULL,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
]


class OutboxRelay:
    def __init__(
        self,
        *,
        store: EventStore,
        nats: NatsConnection,
        service: str,
        subject_root: str,
        stream: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        ack_timeout: float = 10.0,
        internal_events: frozenset[str] = frozenset(),
    ) -> None:
        self.store = store
        self.pool: Pool = store.pool
        self.nats = nats
        self.service = service
        self.subject_root = subject_root
        self.stream = stream
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.ack_timeout = ack_timeout
        # event names kept in the log but never published (a service's private facts)
        self.internal_events = internal_events
        self.name = f"{service}-outbox"
        self.published = 0
        self._wake = asyncio.Event()
        self._stream_ready = False

    def subject_for(self, event: StoredEvent) -> str:
        return event_subject(self.subject_root, self.service, event.agency_id, event.name)

    async def run(self) -> None:
        """Publish forever; cancel the task to stop.

        Replicas of a service each run a relay; a session advisory lock, held on the
        LISTEN connection, lets exactly one publish at a time. If its process dies the
        connection closes, the lock is released and a standby takes over.
        """
        while True:
            listener = await self._lead()
            if listener is None:
                await asyncio.sleep(self.poll_interval)
                continue
            try:
                await self._publish_while_leading(listener)
            finally:
                await self._stand_down(listener)

    async def _stand_down(self, listener: Connection) -> None:
        """Stop listening, drop the lock and return the connection, whatever fails first.

        The release must not be skipped: a connection kept here blocks pool.close().
        """
        with contextlib.suppress(Exception):
            await listener.remove_listener(self.store.notify_channel, self._on_notify)
        with contextlib.suppress(Exception):
            await listener.execute("SELECT pg_advisory_unlock_all()")
        await self.pool.release(listener)  # type: ignore[arg-type]

    async def _lead(self) -> Connection | None:
        """A connection holding the relay lock and listening for appends, or None."""
        try:
            conn = await self.pool.acquire()
        except Exception as error:
            log.warning("relay_connect_failed", error=repr(error))
            return None
        leading = False
        try:
            if await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext(current_schema() || $1))", self.name
            ):
                await conn.add_listener(self.store.notify_channel, self._on_notify)
                leading = True  # only once listening: a cancel in add_listener releases too
                return conn
        except Exception as error:
            log.warning("relay_lock_failed", error=repr(error))
        finally:
            # also when cancelled mid-way: a connection kept here would block pool.close();
            # the pool's reset on release drops the lock and any listener
            if not leading:
                await self.pool.release(conn)
        return None

    async def _publish_while_leading(self, listener: Connection) -> None:
        """Publish until cancelled, or until the lock's connection is lost (a database
        restart ends the session and its lock: step down and contend again)."""
        backoff = 0.2
        while not listener.is_closed():
            if being_cancelled():  # a cancel some library swallowed: honour it here
                raise asyncio.CancelledError
            try:
                sent = await self.publish_pending()
                backoff = 0.2
            except Exception as error:
                if being_cancelled():
                    # a library turned our cancel into an error (nats-py's publish_async
                    # raises TooManyStalledMsgsError): stop instead of retrying forever
                    raise asyncio.CancelledError from error
                log.warning("relay_publish_failed", relay=self.name, error=repr(error))
                self._stream_ready = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent < self.batch_size:
                self._wake.clear()
                # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that
                # lands as a NOTIFY wakes it, and the relay then never stops
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_interval):
                        await self._wake.wait()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def load_checkpoint(self) -> Checkpoint:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT tx_id::text::bigint AS tx_id, position FROM relay_checkpoints"
                " WHERE relay = $1",
                self.name,
            )
        return Checkpoint(row["tx_id"], row["position"]) if row else Checkpoint()

    async def _save_checkpoint(self, checkpoint: Checkpoint) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                """
                INSERT INTO relay_checkpoints (relay, tx_id, position)
                VALUES ($1, $2::text::xid8, $3)
                ON CONFLICT (relay) DO UPDATE
                SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()
                WHERE (relay_checkpoints.tx_id, relay_checkpoints.position)
                    < (excluded.tx_id, excluded.position)
                """,
                self.name,
                str(checkpoint.tx_id),
                checkpoint.position,
            )

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many events were acknowledged."""
        checkpoint = await self.load_checkpoint()
        events = await self.store.read_committed(checkpoint, self.batch_size)
        if not events:
            return 0
        js = self.nats.jetstream()
        if not self._stream_ready:
            await ensure_stream(js, self.stream, [f"{self.subject_root}.{self.service}.>"])
            self._stream_ready = True
        futures: list[asyncio.Future[PubAck] | None] = []
        for event in events:
            if event.name in self.internal_events:
                futures.append(None)  # nothing to publish: counts as acknowledged
                continue
            payload = event.to_cloudevent(self.service).to_json()
            headers = {
                "Nats-Msg-Id": str(event.event_id),
                "Content-Type": "application/cloudevents+json",
            }
            futures.append(
                await js.publish_async(self.subject_for(event), payload, headers=headers)
            )
        sent = [future for future in futures if future is not None]
        done, pending = (
            await asyncio.wait(sent, timeout=self.ack_timeout) if sent else (set(), set())
        )
        for future in pending:
            future.cancel()
        acknowledged = 0
        for outcome in futures:  # only the unbroken prefix counts: order must be kept
            if outcome is None or (
                outcome in done and not outcome.cancelled() and outcome.exception() is None
            ):
                acknowledged += 1
            else:
                break
        if acknowledged:
            last = events[acknowledged - 1]
            await self._save_checkpoint(Checkpoint(last.tx_id, last.position))
            self.published += sum(1 for f in futures[:acknowledged] if f is not None)
        if acknowledged < len(events):
            failed = futures[acknowledged]
            assert failed is not None
            reason = "timeout" if failed in pending else repr(failed.exception())
            raise ConnectionError(f"JetStream did not acknowledge event {acknowledged}: {reason}")
        return acknowledged


def being_cancelled() -> bool:
    """Whether the current task has been asked to stop (even if a library hid it)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
