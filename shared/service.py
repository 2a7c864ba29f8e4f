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
from prometheus_client.registry import Collector
from starlette.types import ASGIApp

from shared.api_docs import install_local_docs
from shared.auth import Role, TokenVerifier
from shared.collector import settle_after_start, watch_pauses
from shared.config import ServiceSettings
from shared.consumer import EventConsumer
from shared.database import Pool, apply_migrations, connect, create_pool
from shared.dead_letters import open_dead_letters
from shared.edge_first import EdgeFirstApp
from shared.eventstore import EventStore
from shared.idempotency_keys import purge_expired
from shared.logs import configure_logging
from shared.messaging import NatsConnection, StreamPolicy
from shared.metrics import ServiceMetrics, metrics_registry
from shared.metrics import router as metrics_router
from shared.operations import router as operations_router
from shared.partitions import PartitionedConsumers
from shared.problems import Problem, install_domain_errors, install_problem_handlers
from shared.relay import OutboxRelay
from shared.request_edge import RequestEdge
from shared.request_guard import RequestBodyGuard
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import migrate
from shared.schema.service_schema import ServiceSchema
from shared.supervisor import Supervisor
from shared.tracing import configure_tracing, flush_traces

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
    # DDL of a test probe's own tables (a service's tables are in `schema`, never here)
    probe_tables: Sequence[str] = ()
    consumers: Callable[[Runtime], list[EventConsumer]] = lambda _runtime: []
    periodic_jobs: Sequence[tuple[float, PeriodicJob]] = ()
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None
    # after everything else has stopped: what `on_startup` (or a handler) started
    on_shutdown: Callable[[Runtime], Awaitable[None]] | None = None
    openapi_tags: list[dict[str, Any]] | None = None
    # event names stored in the log but never published by the relay
    internal_events: frozenset[str] = frozenset()
    # a service's domain error types → the problem each becomes (one place per service)
    domain_errors: Mapping[type[Exception], Callable[[Any], Problem]] = field(default_factory=dict)
    # paths that parse their own bodies (not JSON): only the size limit applies there
    raw_body_prefixes: Sequence[str] = ()
    # path prefix -> a body size limit of its own (bulk imports), instead of max_body_bytes
    body_limits: Mapping[str, int] = field(default_factory=dict)
    # the service's own Prometheus instruments, served on its /metrics beside the kernel's
    metrics: Sequence[Collector] = ()


@dataclass
class Runtime:
    """Everything a service holds while running; handlers reach it through `RuntimeDep`."""

    settings: ServiceSettings
    pool: Pool
    nats: NatsConnection
    store: EventStore
    relay: OutboxRelay
    consumers: list[EventConsumer] = field(default_factory=list)
    # the consumers run by partition over the replicas (shared/partitions.py)
    partitions: PartitionedConsumers | None = None
    supervisor: Supervisor = field(default_factory=lambda: Supervisor("service"))
    extras: dict[str, Any] = field(default_factory=dict)
    relay_lag: int | None = None  # committed events not yet published (sampled)
    relay_lag_seconds: float | None = None  # age of the oldest of them (sampled)
    dead_letters_open: dict[str, int] = field(default_factory=dict)  # by consumer (sampled)
    database_reachable: bool | None = None  # the last sampling reached the database
    metrics: ServiceMetrics | None = None

    @classmethod
    async def open(
        cls, definition: ServiceDefinition, metrics: ServiceMetrics | None = None
    ) -> Runtime:
        settings = definition.settings
        pool = await create_pool(settings)
        await migrate(settings, definition.schema, pool)
        if definition.probe_tables:  # a test probe's own tables, beside the kernel's
            await apply_migrations(pool, settings.service_name, definition.probe_tables)
        nats = NatsConnection.from_settings(settings)
        store = EventStore(pool, notify_channel=f"{settings.db_schema}_events")
        if metrics is not None:
            store.on_appended = metrics.count_appended

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
            metrics=metrics,
        )
        runtime.consumers = definition.consumers(runtime)
        for consumer in runtime.consumers:
            if metrics is not None:
                consumer.observe_processing = metrics.processing_observer(consumer.name)
        return runtime

    async def start(self, definition: ServiceDefinition) -> None:
        """Start every background task under the supervisor (none runs bare)."""
        await self.nats.start()
        if definition.on_startup is not None:
            await definition.on_startup(self)
        name = self.settings.service_name
        self.supervisor.start(f"{name}-relay", self.relay.run)
        if self.consumers:
            self.partitions = PartitionedConsumers(
                self.consumers,
                name=f"{name}-consumers",
                lease_seconds=self.settings.partition_lease_seconds,
            )
            self.supervisor.start(self.partitions.name, self.partitions.run)
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
        try:
            self.relay_lag = await self.relay.lag()
            self.relay_lag_seconds = await self.relay.oldest_unpublished_age()
            self.dead_letters_open = await open_dead_letters(self.pool)
        except Exception:
            self.database_reachable = False
            raise
        self.database_reachable = True
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
    from shared.health import router as health_router
    from shared.idempotency_middleware import IdempotencyKeys, document_idempotency_key

    settings = definition.settings
    configure_logging(settings)
    configure_tracing(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.open(definition, app.state.metrics)
        app.state.runtime = runtime
        await runtime.start(definition)
        if settings.gc_settle_after_start:
            settle_after_start()
        stop_watching_pauses = watch_pauses(app.state.metrics.observe_gc_pause)
        try:
            yield
        finally:
            stop_watching_pauses()
            try:
                await runtime.close()
            finally:
                if definition.on_shutdown is not None:
                    await definition.on_shutdown(runtime)
            flush_traces()

    def edge(inside: ASGIApp) -> ASGIApp:
        # outermost (shared/edge_first.py): its span and figures cover every answer, a 500
        # included (shared/request_edge.py); built at the first request, once `app` is set up
        return RequestEdge(
            inside,
            metrics=app.state.metrics,
            max_header_bytes=settings.max_header_bytes,
            guard=guarded,
            exempt_prefixes=raw_prefixes,
        )

    app = EdgeFirstApp(
        edge=edge,
        title=definition.title,
        description=definition.description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=_with_operations_tag(definition.openapi_tags),
        # Swagger UI from local assets (shared/api_docs.py); no ReDoc
        docs_url=None,
        redoc_url=None,
        # the kernel traces and measures each request itself (shared/request_edge.py):
        # FastAPI's own telemetry off, so no second server span, and no look-up of the
        # global OpenTelemetry providers (in the process's environment) on every request
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_local_docs(app)
    app.state.settings = settings
    app.state.metrics_registry = metrics_registry(app, tuple(definition.metrics))
    app.state.metrics = ServiceMetrics(app.state.metrics_registry, settings.service_name)
    app.state.permissions = definition.permissions
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    install_domain_errors(app, definition.domain_errors)
    raw_prefixes = definition.raw_body_prefixes

    def guarded(app_inside: ASGIApp) -> ASGIApp:
        """The checks of a request with a body; the idempotency keys inside the body
        guard, so they see a checked, buffered body."""
        return RequestBodyGuard(
            IdempotencyKeys(app_inside, owner=app, exempt_prefixes=raw_prefixes),
            max_bytes=settings.max_body_bytes,
            max_depth=settings.max_json_depth,
            exempt_prefixes=raw_prefixes,
            limits=definition.body_limits,
        )

    # the service's routers first, in the order it gives (its most asked first): a request
    # is matched against the routes in turn, and probes and scrapes are a few a minute
    for router in definition.routers:
        app.include_router(router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(operations_router)
    document_idempotency_key(app, definition.raw_body_prefixes)
    return app


def _with_operations_tag(tags: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The kernel's operations routes described in a service's tag list, unless it does."""
    if tags is None or any(tag.get("name") == "operations" for tag in tags):
        return tags
    described = "Dead letters (list, retry, discard); consumer and relay positions and lag."
    return [*tags, {"name": "operations", "description": described}]


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a hop
    every request of every route would pay for one attribute read."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
