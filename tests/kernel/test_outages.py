"""Fault tests: each owns the server it stops and restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, Request

from shared.servers import NatsServer, PostgresServer
from shared.service import ServiceDefinition, create_app
from shared.testing.apps import running
from shared.testing.plugin import DATABASE
from shared.testing.waiting import eventually
from tests.kernel.probe import Probe, ProbeSettings, pending, probe_on

pytestmark = pytest.mark.fault


async def test_events_appended_while_nats_is_down_all_arrive_once_after_it_returns(
    settings_for: Callable[..., Any], own_nats: NatsServer
) -> None:
    settings: ProbeSettings = settings_for(ProbeSettings, nats_url=own_nats.url)
    async with probe_on(settings) as probe:
        probe.run(probe.relay.run())
        probe.run(probe.consumer(ack_wait=2.0).run())
        for i in range(20):
            await probe.append(f"before-{i}", pending("p", 1))

        async def first_batch_seen() -> bool:
            return len(await probe.seen_ids()) == 20

        await eventually(first_batch_seen)

        own_nats.stop()
        for i in range(50):  # the API keeps accepting writes during the outage
            await probe.append(f"during-{i}", pending("p", 1))
            await asyncio.sleep(0.01)
        assert not probe.nats.is_connected
        own_nats.start()

        for i in range(20):
            await probe.append(f"after-{i}", pending("p", 1))

        async def all_seen() -> bool:
            return len(await probe.seen_ids()) >= 90

        await eventually(all_seen, timeout=45)
        await asyncio.sleep(1.0)
        seen = await probe.seen_ids()
        assert sorted(seen) == sorted(await probe.stored_ids())
        assert len(seen) == len(set(seen)) == 90
        js = probe.nats.jetstream()
        info = await js.stream_info(settings.stream_name)
        assert info.state.messages == 90  # the stream itself holds no duplicate


async def test_a_postgresql_restart_is_survived_by_the_relay_and_readiness_reports_it(
    settings_for: Callable[..., Any], own_postgres: PostgresServer
) -> None:
    settings: ProbeSettings = settings_for(ProbeSettings, database_url=own_postgres.dsn(DATABASE))
    async with probe_on(settings) as probe:
        probe.run(probe.relay.run())
        probe.run(probe.consumer(ack_wait=2.0).run())
        app = create_app(
            ServiceDefinition(
                settings=settings, title="probe", description="probe", routers=[], permissions={}
            )
        )
        async with running(app) as client:
            await probe.append("before", pending("p", 1))

            await eventually(_seen(probe, 1))
            assert (await client.get("/readyz")).status_code == 200

            own_postgres.stop()
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"].startswith("unreachable")

            own_postgres.start(fast_unsafe=True)  # same data, same port
            await eventually(lambda: _ready(client), timeout=20)
            for i in range(5):
                await _append_retrying(probe, f"after-{i}")
            await eventually(_seen(probe, 6), timeout=30)
            assert sorted(await probe.seen_ids()) == sorted(await probe.stored_ids())


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def test_a_single_relay_keeps_publishing_across_two_postgresql_restarts(
    settings_for: Callable[..., Any], own_postgres: PostgresServer
) -> None:
    """The relay-death repro: one relay, no standby to hide it, PostgreSQL restarted."""
    settings: ProbeSettings = settings_for(ProbeSettings, database_url=own_postgres.dsn(DATABASE))
    async with probe_on(settings) as probe:
        relay_task = probe.run(probe.relay.run())
        probe.run(probe.consumer(ack_wait=2.0).run())
        await probe.append("before", pending("p", 1))
        await eventually(_seen(probe, 1))
        for restart in range(2):
            own_postgres.stop()
            await asyncio.sleep(0.5)
            own_postgres.start(fast_unsafe=True)  # same data, same port
            for i in range(5):
                await _append_retrying(probe, f"after-{restart}-{i}")
            await eventually(_seen(probe, 1 + 5 * (restart + 1)), timeout=30)
            assert not relay_task.done(), "the relay ended"
            assert probe.relay.leading
        assert sorted(await probe.seen_ids()) == sorted(await probe.stored_ids())


async def test_a_write_while_postgresql_is_down_is_503_with_retry_after(
    settings_for: Callable[..., Any], own_postgres: PostgresServer
) -> None:
    settings: ProbeSettings = settings_for(ProbeSettings, database_url=own_postgres.dsn(DATABASE))
    router = APIRouter()

    @router.post("/amounts", status_code=201)
    async def record(request: Request) -> dict[str, str]:
        store = request.app.state.runtime.store
        async with store.transaction() as conn:
            stored = await store.append(conn, "amounts", [pending("p", 1)], None)
        return {"id": str(stored[0].event_id)}

    app = create_app(
        ServiceDefinition(
            settings=settings, title="probe", description="probe", routers=[router], permissions={}
        )
    )
    async with running(app) as client:
        assert (await client.post("/amounts")).status_code == 201
        own_postgres.stop()
        refused = await client.post("/amounts")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert "retry" in refused.json()["detail"]
        own_postgres.start(fast_unsafe=True)
        await eventually(lambda: _ready(client), timeout=20)
        for _ in range(20):  # pooled connections broken by the restart go first
            if (await client.post("/amounts")).status_code == 201:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("writes did not resume after PostgreSQL came back")


def _seen(probe: Probe, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        try:
            return len(await probe.seen_ids()) == count
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    return check


async def _append_retrying(probe: Probe, stream: str) -> None:
    for attempt in range(40):  # pooled connections broken by the restart
        try:
            await probe.append(stream, pending("p", 1))
            return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.1 * (attempt + 1))
    raise AssertionError("PostgreSQL did not take writes again")


async def test_a_service_started_before_its_database_waits_for_it_and_becomes_ready(
    settings_for: Callable[..., Any], own_postgres: PostgresServer
) -> None:
    settings: ProbeSettings = settings_for(
        ProbeSettings, database_url=own_postgres.dsn(DATABASE), db_startup_timeout_seconds=30
    )
    own_postgres.stop()
    app = create_app(
        ServiceDefinition(
            settings=settings, title="probe", description="probe", routers=[], permissions={}
        )
    )

    async def start_database_later() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(own_postgres.start, fast_unsafe=True)

    later = asyncio.create_task(start_database_later())
    async with running(app) as client:  # start-up retried until PostgreSQL listened
        assert later.done()
        assert (await client.get("/readyz")).status_code == 200
