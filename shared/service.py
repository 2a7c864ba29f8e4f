"""One composition root for every service: pool, NATS, event store, relay, consumers, app.

A service describes itself with a `ServiceDefinition` (settings, routers, schema,
permission matrix, consumers, periodic jobs, seed step); `create_app` turns it into a
FastAPI app whose lifespan starts and stops everything in order.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request

from shared.api_docs import install_local_docs
from shared.auth import Role, TokenVerifier
from shared.config import ServiceSettings
from shared.consumer import EventConsumer
from shared.database import Pool, connect, create_pool
from shared.eventstore import EventStore
from shared.idempotency_keys import purge_expired
from shared.logs import RequestLogging, configure_logging
from shared.messaging import NatsConnection, StreamPolicy
from shared.problems import Problem, install_domain_errors, install_problem_handlers
from shared.relay import OutboxRelay
from shared.request_guard import RequestBodyGuard, RequestHeaderGuard
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import migrate
from shared.schema.service_schema import ServiceSchema
from shared.supervisor import Supervisor

log = structlog.get_logger(__name__)

PeriodicJob = Callable[["Runtime"], Awaitable[None]]
IDEMPOTENCY_PURGE_SECONDS = 3600.0


@dataclass
class ServiceDefinition:
    settings: ServiceSettings
    title: str
    description: str
    routers: Sequence[APIRouter]
    permissions: Mapping[str, frozenset[Role]]
    # its tables and their revisions, brought to the newest at start-up (under a lock)
    schema: ServiceSchema = KERNEL_SCHEMA
    consumers: Callable[[Runtime], list[EventConsumer]] = lambda _runtime: []
    periodic_jobs: Sequence[tuple[float, PeriodicJob]] = ()
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None
    openapi_tags: list[dict[str, Any]] | None = None
    # event names stored in the log but never published by the relay
    internal_events: frozenset[str] = frozenset()
    # a service's domain error types → the problem each becomes (one place per service)
    domain_errors: Mapping[type[Exception], Callable[[Any], Problem]] = field(default_factory=dict)
    # paths that parse their own bodies (not JSON): only the size limit applies there
    raw_body_prefixes: Sequence[str] = ()
    # path prefix -> a body size limit of its own (bulk imports), instead of max_body_bytes
    body_limits: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Runtime:
    """Everything a service holds while running; handlers reach it through `RuntimeDep`."""

    settings: ServiceSettings
    pool: Pool
    nats: NatsConnection
    store: EventStore
    relay: OutboxRelay
    consumers: list[EventConsumer] = field(default_factory=list)
    supervisor: Supervisor = field(default_factory=lambda: Supervisor("service"))
    extras: dict[str, Any] = field(default_factory=dict)
    relay_lag: int | None = None  # committed events not yet published (sampled)

    @classmethod
    async def open(cls, definition: ServiceDefinition) -> Runtime:
        settings = definition.settings
        pool = await create_pool(settings)
        await migrate(settings, definition.schema, pool)
        nats = NatsConnection.from_settings(settings)
        store = EventStore(pool, notify_channel=f"{settings.db_schema}_events")

        async def relay_session() -> Any:
            return await connect(settings)

        relay = OutboxRelay(
            store=store,
            nats=nats,
            service=settings.service_name,
            subject_root=settings.subject_root,
            stream=settings.stream_name,
            connect=relay_session,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval_seconds,
            ack_timeout=settings.relay_ack_timeout_seconds,
            lease_seconds=settings.relay_lease_seconds,
            internal_events=definition.internal_events,
            streams=StreamPolicy.from_settings(settings),
        )
        runtime = cls(
            settings=settings,
            pool=pool,
            nats=nats,
            store=store,
            relay=relay,
            supervisor=Supervisor(settings.service_name),
        )
        runtime.consumers = definition.consumers(runtime)
        return runtime

    async def start(self, definition: ServiceDefinition) -> None:
        """Start every background task under the supervisor (none runs bare)."""
        await self.nats.start()
        if definition.on_startup is not None:
            await definition.on_startup(self)
        name = self.settings.service_name
        self.supervisor.start(f"{name}-relay", self.relay.run)
        for consumer in self.consumers:
            self.supervisor.start(consumer.name, consumer.run)
        for interval, job in definition.periodic_jobs:
            job_name = getattr(job, "__name__", "job")
            self.supervisor.start_periodic(job_name, interval, _bound(job, self))
        self.supervisor.start_periodic(
            "lag-sampler", self.settings.lag_sample_seconds, self.sample_lag
        )
        self.supervisor.start_periodic(
            "idempotency-key-expiry", IDEMPOTENCY_PURGE_SECONDS, self.purge_idempotency_keys
        )

    async def purge_idempotency_keys(self) -> None:
        await purge_expired(self.pool)

    async def sample_lag(self) -> None:
        """Refresh the lag figures `/readyz` and `/metrics` report (relay and consumers)."""
        self.relay_lag = await self.relay.lag()
        for consumer in self.consumers:
            with contextlib.suppress(Exception):  # NATS away: keep the last figure
                await consumer.sample_pending()

    async def close(self) -> None:
        await self.supervisor.stop()
        await self.nats.close()
        await self.pool.close()


def _bound(job: PeriodicJob, runtime: Runtime) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await job(runtime)

    run.__name__ = getattr(job, "__name__", "job")
    return run


def create_app(definition: ServiceDefinition) -> FastAPI:
    from shared.health import metrics_registry
    from shared.health import router as health_router
    from shared.idempotency_middleware import IdempotencyKeys, document_idempotency_key

    settings = definition.settings
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.open(definition)
        app.state.runtime = runtime
        await runtime.start(definition)
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=definition.openapi_tags,
        # Swagger UI from local assets (shared/api_docs.py); no ReDoc
        docs_url=None,
        redoc_url=None,
    )
    install_local_docs(app)
    app.state.settings = settings
    app.state.metrics_registry = metrics_registry(app)
    app.state.permissions = definition.permissions
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    install_domain_errors(app, definition.domain_errors)
    # inside the body guard: it sees a checked, buffered body
    app.add_middleware(IdempotencyKeys, owner=app, exempt_prefixes=definition.raw_body_prefixes)
    app.add_middleware(
        RequestBodyGuard,
        max_bytes=settings.max_body_bytes,
        max_depth=settings.max_json_depth,
        exempt_prefixes=definition.raw_body_prefixes,
        limits=definition.body_limits,
    )
    app.add_middleware(RequestHeaderGuard, max_bytes=settings.max_header_bytes)
    app.add_middleware(RequestLogging)  # added last: outermost, so it sees every answer
    app.include_router(health_router)
    for router in definition.routers:
        app.include_router(router)
    document_idempotency_key(app, definition.raw_body_prefixes)
    return app


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
