"""A small service on the kernel for the observability tests: one route appends an amount,
its own consumer projects it, and an amount of -1 fails until the test "fixes the cause"
(a row in `ledger_cures`), so the consumer makes real dead letters the operations API
can list and retry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.auth import Principal, Role, allow
from shared.config import ServiceSettings
from shared.consumer import EventConsumer, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import DomainEvent, PendingEvent
from shared.operations import OPERATIONS_PERMISSIONS
from shared.servers import NatsServer, PostgresServer
from shared.service import Runtime, RuntimeDep, ServiceDefinition, create_app
from shared.testing.apps import running

LEDGER_DDL = [
    "CREATE TABLE IF NOT EXISTS ledger_totals (subject text PRIMARY KEY, total bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_cures (amount bigint PRIMARY KEY)",
]


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")
    service_name: str = "ledger"


class AmountBooked(DomainEvent):
    amount: int


class BookAmount(BaseModel):
    subject: str
    amount: int


router = APIRouter()


@router.post("/amounts/{subject}", status_code=201)
async def book(
    subject: str,
    body: BookAmount,
    principal: Annotated[Principal, allow("amounts.book")],
    runtime: RuntimeDep,
) -> dict[str, str]:
    event = PendingEvent(
        event=AmountBooked(amount=body.amount),
        agency_id=principal.agency_id,
        subject=subject,
        occurred_at=datetime.now(UTC),
    )
    async with runtime.store.transaction() as conn:
        await runtime.store.append(conn, f"amount/{uuid.uuid4()}", [event], expected_version=0)
    return {"event_id": str(event.event_id)}


async def project(conn: Connection, event: CloudEvent) -> None:
    amount = int(event.data["amount"])
    if amount < 0 and not await conn.fetchval(
        "SELECT true FROM ledger_cures WHERE amount = $1", amount
    ):
        raise ValueError(f"a negative amount ({amount}) cannot be booked")
    await conn.execute(
        "INSERT INTO ledger_totals (subject, total) VALUES ($1, $2) ON CONFLICT (subject)"
        " DO UPDATE SET total = ledger_totals.total + excluded.total",
        event.subject,
        amount,
    )


def ledger_consumer(runtime: Runtime) -> list[EventConsumer]:
    settings = runtime.settings
    return [
        EventConsumer(
            pool=runtime.pool,
            nats=runtime.nats,
            subscription=Subscription(
                durable=f"ledger-{settings.db_schema}",
                stream=settings.stream_name,
                subjects=[f"{settings.subject_root}.ledger.>"],
            ),
            handler=project,
            max_deliver=2,
            fetch_timeout=0.2,
        )
    ]


def ledger_app(settings: LedgerSettings) -> FastAPI:
    return create_app(
        ServiceDefinition(
            settings=settings,
            title="ledger",
            description="the observability tests' service",
            routers=[router],
            permissions={"amounts.book": frozenset({Role.ADMIN}), **OPERATIONS_PERMISSIONS},
            probe_tables=LEDGER_DDL,
            consumers=ledger_consumer,
        )
    )


def ledger_settings(postgres: PostgresServer, nats: NatsServer, **overrides: Any) -> LedgerSettings:
    name = "t" + uuid.uuid4().hex[:12]
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": postgres.dsn("miiwrap_test"),
        "db_schema": f"{name}_ledger",
        "nats_url": nats.url,
        "subject_root": name,
        "relay_poll_interval_seconds": 0.1,
        "lag_sample_seconds": 0.2,
        "db_pool_max": 5,
        **overrides,
    }
    return LedgerSettings(**values)


@asynccontextmanager
async def ledger_running(
    settings: LedgerSettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    app = ledger_app(settings)
    async with running(app) as client:
        await app.state.runtime.nats.wait_connected(10)
        yield client, app
