"""A tiny probe service to exercise the kernel: one event type, one counter projection."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings
from shared.consumer import EventConsumer, Subscription
from shared.database import Connection, Pool, connect, create_pool
from shared.envelope import CloudEvent
from shared.events import DomainEvent, PendingEvent, StoredEvent
from shared.eventstore import EventStore
from shared.messaging import NatsConnection
from shared.relay import OutboxRelay
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import migrate

PROJECTION_DDL = [
    """
    CREATE TABLE IF NOT EXISTS probe_totals (
        subject text PRIMARY KEY,
        total bigint NOT NULL,
        events bigint NOT NULL
    )
    """,
    "CREATE TABLE IF NOT EXISTS probe_seen (event_id text PRIMARY KEY)",
]


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")
    service_name: str = "probe"


class AmountRecorded(DomainEvent):
    amount: int


def pending(subject: str, amount: int, agency: str = "agency-a") -> PendingEvent:
    return PendingEvent(
        event=AmountRecorded(amount=amount),
        agency_id=agency,
        subject=subject,
        occurred_at=datetime.now(UTC),
    )


async def project_amount(conn: Connection, event: CloudEvent) -> None:
    """The projection under test: per-subject total; `probe_seen` proves no double count."""
    if event.data.get("amount") == -1:
        raise ValueError("poison: amount -1 cannot be projected")
    await conn.execute("INSERT INTO probe_seen (event_id) VALUES ($1)", event.id)
    await conn.execute(
        """
        INSERT INTO probe_totals (subject, total, events) VALUES ($1, $2, 1)
        ON CONFLICT (subject) DO UPDATE
        SET total = probe_totals.total + excluded.total, events = probe_totals.events + 1
        """,
        event.subject,
        event.data["amount"],
    )


class Probe:
    """The kernel parts wired as a service would wire them."""

    def __init__(self, settings: ProbeSettings, pool: Pool, nats: NatsConnection) -> None:
        self.settings = settings
        self.pool = pool
        self.nats = nats
        self.store = EventStore(pool, notify_channel=f"{settings.db_schema}_events")
        self.relay = OutboxRelay(
            store=self.store,
            nats=nats,
            service="probe",
            subject_root=settings.subject_root,
            stream=settings.stream_name,
            connect=self.session,
            batch_size=50,
            poll_interval=0.2,
            ack_timeout=2.0,
            lease_seconds=3.0,
        )
        self.tasks: list[asyncio.Task[None]] = []

    def relay_replica(self, cls: type[OutboxRelay] = OutboxRelay, **options: Any) -> OutboxRelay:
        """Another replica's relay on the same schema and stream (standby or leader)."""
        values: dict[str, Any] = {"batch_size": 5, "poll_interval": 0.1, **options}
        return cls(
            store=self.store,
            nats=self.nats,
            service="probe",
            subject_root=self.settings.subject_root,
            stream=self.settings.stream_name,
            connect=self.session,
            **values,
        )

    async def session(self) -> Any:
        """A connection of the relay's own (its lease and LISTEN session)."""
        return await connect(self.settings)

    def consumer(self, durable: str = "probe-projection", **options: Any) -> EventConsumer:
        cls = options.pop("cls", EventConsumer)
        consumer: EventConsumer = cls(
            pool=self.pool,
            nats=self.nats,
            subscription=Subscription(
                durable=durable,
                stream=self.settings.stream_name,
                subjects=[f"{self.settings.subject_root}.probe.>"],
            ),
            handler=project_amount,
            **options,
        )
        return consumer

    def run(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self.tasks.append(task)
        return task

    async def append(self, stream: str, *events: PendingEvent) -> list[StoredEvent]:
        async with self.store.transaction() as conn:
            return await self.store.append(conn, stream, list(events), expected_version=None)

    async def seen_ids(self) -> list[str]:
        async with self.pool.acquire() as conn:
            return [r["event_id"] for r in await conn.fetch("SELECT event_id FROM probe_seen")]

    async def stored_ids(self) -> set[str]:
        async with self.pool.acquire() as conn:
            return {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM events")}

    async def stop_tasks(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()


async def open_probe(settings: ProbeSettings) -> tuple[Pool, NatsConnection]:
    pool = await create_pool(settings, max_size=20)
    await migrate(settings, KERNEL_SCHEMA, pool)
    async with pool.acquire() as conn:
        for statement in PROJECTION_DDL:
            await conn.execute(statement)
    nats = NatsConnection(settings.nats_url, "probe")
    await nats.start()
    return pool, nats


@pytest.fixture
def probe_settings(settings_for: Callable[..., Any]) -> ProbeSettings:
    settings: ProbeSettings = settings_for(ProbeSettings)
    return settings


@asynccontextmanager
async def probe_on(settings: ProbeSettings) -> AsyncIterator[Probe]:
    """A connected probe on `settings`' servers; its tasks, NATS and pool end with it."""
    pool, nats = await open_probe(settings)
    try:
        await nats.wait_connected(10)
        instance = Probe(settings, pool, nats)
        try:
            yield instance
        finally:
            await instance.stop_tasks()
    finally:
        await nats.close()
        await pool.close()


@pytest.fixture
async def probe(probe_settings: ProbeSettings) -> AsyncIterator[Probe]:
    async with probe_on(probe_settings) as instance:
        yield instance


def new_id() -> str:
    return str(uuid.uuid4())
