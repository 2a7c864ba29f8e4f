"""The transactional outbox relay: committed events → JetStream, exactly once downstream.

It reads the event store in commit-safe order from its checkpoint, publishes a batch with
`Nats-Msg-Id` = event id (JetStream drops a re-publish inside the duplicate window),
waits for the acks, and advances the checkpoint past the longest acknowledged prefix.
Woken on append: in process when the append's transaction is one the kernel commits
and this process's relay leads (shared/commit_wake.py: a NOTIFY would make every writer
of the server commit in turn), by LISTEN/NOTIFY otherwise; polls as a fallback. NATS
being down only delays it. An append's wake-up can find its events still behind the
commit-safe fence (another transaction of the database, begun earlier, is still open):
the relay then looks again within milliseconds, backing off towards the poll interval,
rather than sleeping until the next wake-up or poll.

Leadership: replicas of a service each run a relay, and one publishes at a time. The
leader holds a lease row (`relay_leases`) that it renews while it publishes; a standby
takes over when the lease has expired (the leader hangs or stops publishing) or when the
leader's database session is gone (its process died, or the database restarted). The
checkpoint is only saved by the lease's holder, so a deposed leader that wakes up late
cannot move it. Any lost connection makes the relay drop its session and contend again;
it never ends on an error (and the kernel supervisor restarts it if it ever did).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog
from nats.js.api import PubAck
from opentelemetry.trace import SpanKind
from pydantic_core import to_json

from shared.config import event_subject
from shared.database import Pool
from shared.envelope import SPEC_VERSION, event_source, event_type
from shared.events import StoredEvent
from shared.eventstore import Checkpoint, EventStore, row_to_event
from shared.messaging import NatsConnection, StreamPolicy, ensure_stream
from shared.supervisor import being_cancelled
from shared.tracing import TRACEPARENT, current_traceparent, span, tracing_enabled

log = structlog.get_logger(__name__)

# take the lease if it is ours, expired, or its holder's session is gone
_CLAIM = """
INSERT INTO relay_leases AS l (relay, holder, holder_pid, epoch, renewed_at, expires_at)
VALUES ($1, $2, pg_backend_pid(), 1, clock_timestamp(),
        clock_timestamp() + make_interval(secs => $3))
ON CONFLICT (relay) DO UPDATE SET
    holder = excluded.holder,
    holder_pid = excluded.holder_pid,
    epoch = l.epoch + CASE WHEN l.holder = excluded.holder THEN 0 ELSE 1 END,
    renewed_at = excluded.renewed_at,
    expires_at = excluded.expires_at
WHERE l.holder = excluded.holder
   OR l.expires_at < clock_timestamp()
   OR NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = l.holder_pid)
RETURNING epoch
"""

# how a CloudEvent without data ends (`data` is its last field)
_EMPTY_DATA = b'"data":{}}'


def with_data(envelope: bytes, data: str) -> bytes:
    """A CloudEvent's JSON (made with empty `data`) holding the JSON text `data`."""
    if not envelope.endswith(_EMPTY_DATA):
        raise ValueError("the CloudEvent's JSON does not end with its empty data")
    return b'%s"data":%s}' % (envelope[: -len(_EMPTY_DATA)], data.encode())


def cloudevent_json(event: StoredEvent, service: str, data: str) -> bytes:
    """`with_data(event.to_cloudevent(service).to_json(), data)`, the same bytes, written
    by pydantic-core from the envelope's fields without building and validating the model
    (the relay publishes thousands a second). A traceparent that is not text takes the
    model's way, whose validation refuses it as before."""
    traceparent = event.metadata.get(TRACEPARENT)
    if traceparent is not None and not isinstance(traceparent, str):
        return with_data(event.to_cloudevent(service).to_json(), data)
    fields: dict[str, Any] = {
        "id": str(event.event_id),
        "source": event_source(service),
        "specversion": SPEC_VERSION,
        "type": event_type(service, event.name, event.schema_version),
        "subject": event.subject,
        "time": event.occurred_at,
        "datacontenttype": "application/json",
        "agencyid": event.agency_id,
        "actor": event.actor,
        "traceparent": traceparent,
        "recordedtime": event.recorded_at,
    }
    envelope = {name: value for name, value in fields.items() if value is not None}
    envelope["data"] = {}
    return with_data(to_json(envelope), data)


@functools.lru_cache(maxsize=8192)
def _subject(subject_root: str, service: str, agency_id: str, name: str, about: str | None) -> str:
    """`event_subject`, remembered: a pure function of a few ids that repeat."""
    return event_subject(subject_root, service, agency_id, name, about)


Connect = Callable[[], Awaitable["asyncpg.Connection[asyncpg.Record]"]]


class LeaseLost(Exception):
    """Another replica holds the relay lease now; this one stands by."""


class OutboxRelay:
    def __init__(
        self,
        *,
        store: EventStore,
        nats: NatsConnection,
        service: str,
        subject_root: str,
        stream: str,
        connect: Connect,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        ack_timeout: float = 5.0,
        lease_seconds: float = 10.0,
        internal_events: frozenset[str] = frozenset(),
        streams: StreamPolicy | None = None,
    ) -> None:
        self.store = store
        self.pool: Pool = store.pool
        self.nats = nats
        self.service = service
        self.subject_root = subject_root
        self.stream = stream
        self.connect = connect
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.ack_timeout = ack_timeout
        self.lease_seconds = lease_seconds
        # event names kept in the log but never published (a service's private facts)
        self.internal_events = internal_events
        self.streams = streams or StreamPolicy()
        self.name = f"{service}-outbox"
        self.holder = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self.published = 0
        self._leading = False
        self.last_error: str | None = None
        self.last_published_at: float | None = None
        self._conn: asyncpg.Connection[asyncpg.Record] | None = None
        self._wake = asyncio.Event()
        self._stream_ready = False
        # committed events wait behind the fence: look again soon (seconds before the next look)
        self._fenced_wait: float | None = None
        # the checkpoint as this leader last saved it (only the lease's holder moves it):
        # no read of it per batch while the lease cannot have passed to another replica
        # (less than lease_seconds since the claim began); forgotten whenever in doubt
        self._saved: Checkpoint | None = None
        self._claimed_at = float("-inf")

    @property
    def leading(self) -> bool:
        return self._leading

    @leading.setter
    def leading(self, leading: bool) -> None:
        """While it leads, this process's appends wake it in process instead of by NOTIFY
        (shared/commit_wake.py); a standby never takes the wake from the leader."""
        self._leading = leading
        local = self.store.local_relay
        if leading:
            local.wake = self._wake.set
        elif local.wake == self._wake.set:
            local.wake = None

    def subject_for(self, event: StoredEvent) -> str:
        return _subject(self.subject_root, self.service, event.agency_id, event.name, event.subject)

    async def run(self) -> None:
        """Publish while leading, stand by otherwise; forever, until cancelled."""
        backoff = 0.2
        try:
            while True:
                try:
                    await self._lead_or_stand_by()
                    backoff = 0.2
                except Exception as error:
                    if being_cancelled():
                        raise asyncio.CancelledError from error
                    self.leading = False
                    self.last_error = repr(error)
                    log.warning("relay_interrupted", relay=self.name, error=repr(error))
                    await self._drop_connection()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
        finally:
            await self._stand_down()

    async def _lead_or_stand_by(self) -> None:
        conn = await self._session()
        if not await self._claim(conn):
            if self.leading:
                log.warning("relay_lease_lost", relay=self.name, holder=self.holder)
            self.leading = False
            self._fenced_wait = None
            await self._wait_for_notify()
            return
        if not self.leading:
            log.info("relay_leading", relay=self.name, holder=self.holder)
            self._saved = None
        self.leading = True
        await self._publish_while_leading(conn)

    async def _publish_while_leading(self, conn: asyncpg.Connection[asyncpg.Record]) -> None:
        """Publish and renew the lease until it is lost or the session breaks."""
        renewed = time.monotonic()
        backoff = 0.2
        while True:
            if being_cancelled():  # a cancel some library swallowed: honour it here
                raise asyncio.CancelledError
            if conn.is_closed():
                raise ConnectionError("the relay's database session was lost")
            if time.monotonic() - renewed >= self.lease_seconds / 3:
                if not await self._claim(conn):
                    return  # deposed: the caller stands by
                renewed = time.monotonic()
            # a wake from here on (an append that commits while this batch is read and
            # published) is kept for the wait after it, not cleared by that wait
            self._wake.clear()
            try:
                sent = await self.publish_pending()
                backoff = 0.2
            except LeaseLost:
                self._saved = None
                return
            except Exception as error:
                if being_cancelled():
                    # a library turned our cancel into an error (nats-py's publish_async
                    # raises TooManyStalledMsgsError): stop instead of retrying forever
                    raise asyncio.CancelledError from error
                self.last_error = repr(error)
                self._saved = None
                log.warning("relay_publish_failed", relay=self.name, error=repr(error))
                self._stream_ready = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            if sent < self.batch_size:
                await self._idle()

    async def _idle(self) -> None:
        """Wait for the fence to lift (held-back events), or else for an append's wake-up
        or the poll interval, whichever comes first."""
        if self._fenced_wait is not None:
            await asyncio.sleep(self._fenced_wait)
            return
        await self._wait_for_notify(clear=False)

    async def _wait_for_notify(self, *, clear: bool = True) -> None:
        """Wait for an append's wake-up (its NOTIFY, or in process) or the poll interval,
        whichever comes first; `clear=False` keeps a wake-up that came before the wait."""
        if clear:
            self._wake.clear()
        # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that lands as
        # a NOTIFY wakes it, and the relay then never stops
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.poll_interval):
                await self._wake.wait()

    async def _session(self) -> asyncpg.Connection[asyncpg.Record]:
        """The relay's own connection (not the pool's): it carries the lease's session
        and the LISTEN; a new one replaces it once it is closed."""
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        await self._drop_connection()
        async with asyncio.timeout(self.lease_seconds):
            conn = await self.connect()
        try:
            await conn.add_listener(self.store.notify_channel, self._on_notify)
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn
        return conn

    async def _claim(self, conn: asyncpg.Connection[asyncpg.Record]) -> bool:
        """Take or renew the lease; False when another replica holds it."""
        began = time.monotonic()
        async with asyncio.timeout(self.lease_seconds):
            epoch = await conn.fetchval(_CLAIM, self.name, self.holder, self.lease_seconds)
        if epoch is None:
            self._saved = None
            return False
        self._claimed_at = began
        return True

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1):
                await conn.close()
        if not conn.is_closed():
            conn.terminate()

    async def _stand_down(self) -> None:
        """Give the lease up (a standby takes over at once) and close the session."""
        was_leading, self.leading = self.leading, False
        conn = self._conn
        if was_leading and conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await conn.execute(
                        "UPDATE relay_leases SET expires_at = clock_timestamp() - interval '1 s'"
                        " WHERE relay = $1 AND holder = $2",
                        self.name,
                        self.holder,
                    )
        await self._drop_connection()

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
        """Move the checkpoint forward; while leading, only as the lease's holder."""
        async with self.pool.acquire() as conn:
            saved = await conn.fetchval(
                """
                INSERT INTO relay_checkpoints (relay, tx_id, position)
                SELECT $1, $2::text::xid8, $3
                WHERE $4::text IS NULL OR EXISTS (
                    SELECT 1 FROM relay_leases WHERE relay = $1 AND holder = $4)
                ON CONFLICT (relay) DO UPDATE
                SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()
                WHERE (relay_checkpoints.tx_id, relay_checkpoints.position)
                    < (excluded.tx_id, excluded.position)
                RETURNING true
                """,
                self.name,
                str(checkpoint.tx_id),
                checkpoint.position,
                self.holder if self.leading else None,
            )
            self._saved = checkpoint if saved and self.leading else None
            if not saved and self.leading:
                held = await conn.fetchval(
                    "SELECT holder FROM relay_leases WHERE relay = $1", self.name
                )
                if held != self.holder:
                    raise LeaseLost(f"the lease of {self.name} is held by {held}")

    async def lag(self, limit: int = 100_000) -> int:
        """Committed events not yet published (counted up to `limit`)."""
        checkpoint = await self.load_checkpoint()
        async with self.pool.acquire() as conn:
            count: int = await conn.fetchval(
                """
                SELECT count(*) FROM (
                    SELECT 1 FROM events
                    WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
                    LIMIT $3) AS behind
                """,
                str(checkpoint.tx_id),
                checkpoint.position,
                limit,
            )
        return count

    async def oldest_unpublished_age(self) -> float:
        """Seconds since the oldest committed event not yet published was stored (0: none)."""
        checkpoint = await self.load_checkpoint()
        async with self.pool.acquire() as conn:
            age: float | None = await conn.fetchval(
                """
                SELECT extract(epoch FROM clock_timestamp() - recorded_at)::float8 FROM events
                WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
                ORDER BY tx_id, position LIMIT 1
                """,
                str(checkpoint.tx_id),
                checkpoint.position,
            )
        return max(age or 0.0, 0.0)

    def _trace_headers(self, event: StoredEvent, subject: str, headers: dict[str, str]) -> None:
        """The event's trace goes on as a NATS header: the relay's publish span (tracing
        on) or the event's own traceparent (off: nothing made, nothing to pay)."""
        traceparent = event.metadata.get(TRACEPARENT)
        if not tracing_enabled():
            if traceparent:
                headers[TRACEPARENT] = str(traceparent)
            return
        with span(
            f"publish {subject}",
            kind=SpanKind.PRODUCER,
            parent=traceparent,
            service=self.service,
            attributes={"messaging.system": "nats", "messaging.destination.name": subject},
        ):
            value = current_traceparent() or traceparent
            if value:
                headers[TRACEPARENT] = str(value)

    async def _held_back(self, after: Checkpoint) -> bool:
        """Whether committed events after `after` wait behind the commit-safe fence."""
        async with self.pool.acquire() as conn:
            held: bool = await conn.fetchval(
                """
                SELECT EXISTS (SELECT 1 FROM events
                    WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
                      AND tx_id >= pg_snapshot_xmin(pg_current_snapshot()))
                """,
                str(after.tx_id),
                after.position,
            )
        return held

    async def _note_fence(self, after: Checkpoint) -> None:
        """After a short batch: wait a little longer each time the fence still holds
        events back (from 5 ms towards the poll interval); None once nothing waits."""
        if not await self._held_back(after):
            self._fenced_wait = None
            return
        waited = self._fenced_wait
        self._fenced_wait = 0.005 if waited is None else min(waited * 2, self.poll_interval)

    async def read_committed(self, after: Checkpoint) -> list[tuple[StoredEvent, str]]:
        """`EventStore.read_committed` for publishing: each event with its payload as
        the JSON text PostgreSQL holds (its `data` left empty), put into the CloudEvent
        as it is rather than decoded and encoded again. An internal event, never
        published, is read without its payload and metadata (an empty text and dict)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """
                SELECT position, tx_id::text::bigint AS tx_id, event_id, stream_id,
                    stream_version, agency_id, name, schema_version, subject, occurred_at,
                    recorded_at,
                    CASE WHEN name = ANY($4::text[]) THEN '' ELSE data::text END AS data,
                    CASE WHEN name = ANY($4::text[]) THEN NULL ELSE metadata END AS metadata
                FROM events
                WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
                  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY events.tx_id, events.position  -- the columns, in the index's order
                LIMIT $3
                """,
                str(after.tx_id),
                after.position,
                self.batch_size,
                list(self.internal_events),
            )
        return [
            (row_to_event(row, data={}, metadata=row["metadata"] or {}), row["data"])
            for row in rows
        ]

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many events were acknowledged."""
        held = self.leading and time.monotonic() - self._claimed_at < self.lease_seconds
        saved = self._saved if held else None
        checkpoint = saved if saved is not None else await self.load_checkpoint()
        read = await self.read_committed(checkpoint)
        events = [event for event, _ in read]
        if not events:
            await self._note_fence(checkpoint)
            return 0
        js = self.nats.jetstream()
        if not self._stream_ready:
            subjects = [f"{self.subject_root}.{self.service}.>"]
            await ensure_stream(js, self.stream, subjects, self.streams)
            self._stream_ready = True
        futures: list[asyncio.Future[PubAck] | None] = []
        for event, data in read:
            if event.name in self.internal_events:
                futures.append(None)  # nothing to publish: counts as acknowledged
                continue
            payload = cloudevent_json(event, self.service, data)
            subject = self.subject_for(event)
            headers = {
                "Nats-Msg-Id": str(event.event_id),
                "Content-Type": "application/cloudevents+json",
            }
            self._trace_headers(event, subject, headers)
            futures.append(await js.publish_async(subject, payload, headers=headers))
        sent = [future for future in futures if future is not None]
        done, pending = (
            await asyncio.wait(sent, timeout=self.ack_timeout) if sent else (set(), set())
        )
        for future in pending:
            future.cancel()
        for future in done:  # read every outcome, so none is "never retrieved"
            if not future.cancelled():
                future.exception()
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
            self.last_published_at = time.time()
        if acknowledged < len(events):
            failed = futures[acknowledged]
            assert failed is not None
            reason = "timeout" if failed in pending else repr(failed.exception())
            raise ConnectionError(f"JetStream did not acknowledge event {acknowledged}: {reason}")
        if acknowledged < self.batch_size:
            last = events[-1]
            await self._note_fence(Checkpoint(last.tx_id, last.position))
        return acknowledged
