"""`/healthz` (the process is up), `/readyz` (it can serve) and `/metrics` (Prometheus).

Readiness depends on the database alone: without it nothing can be read or written.
NATS and the relay's lag are reported in the detail but do not gate: the outbox exists
so that writes go on while NATS is away, and taking every pod out of its Service during
a NATS outage would turn a delay into downtime. Every supervised background task's
state is in the detail too, so a task that keeps failing is visible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

router = APIRouter(tags=["health"])

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable (NATS, relay lag and background tasks reported)",
    response_model=None,
)
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            async with runtime.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    ready = checks["database"] == "ok"
    body: dict[str, Any] = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "nats": "connected" if runtime.nats.is_connected else "unreachable",
        "relay": {
            "leading": runtime.relay.leading,
            "lag": runtime.relay_lag,
            "published": runtime.relay.published,
            "last_error": runtime.relay.last_error,
        },
        "consumers": {
            consumer.name: {
                "pending": consumer.pending,
                "processed": consumer.processed,
                "dead_lettered": consumer.dead_lettered,
            }
            for consumer in runtime.consumers
        },
        "tasks": {name: state.as_dict() for name, state in runtime.supervisor.states.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False, response_class=Response)
async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=PROMETHEUS_TEXT)


class RuntimeCollector(Collector):
    """Reads the running service's figures at scrape time (nothing to keep in step)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        runtime = getattr(self.app.state, "runtime", None)
        if runtime is None:
            return
        service = runtime.settings.service_name
        up = GaugeMetricFamily(
            "miiwrap_task_running",
            "1 while a supervised background task runs, 0 while it waits to restart",
            labels=["service", "task"],
        )
        restarts = CounterMetricFamily(
            "miiwrap_task_restarts", "Restarts of a background task", labels=["service", "task"]
        )
        failures = CounterMetricFamily(
            "miiwrap_task_failures",
            "Failures of a background task (a periodic job's failed rounds included)",
            labels=["service", "task"],
        )
        for name, state in runtime.supervisor.states.items():
            up.add_metric([service, name], 1.0 if state.status == "running" else 0.0)
            restarts.add_metric([service, name], state.restarts)
            failures.add_metric([service, name], state.failures)
        yield from (up, restarts, failures)
        leading = GaugeMetricFamily(
            "miiwrap_relay_leading",
            "1 while this replica's relay holds the lease",
            labels=["service"],
        )
        leading.add_metric([service], 1.0 if runtime.relay.leading else 0.0)
        published = CounterMetricFamily(
            "miiwrap_relay_published", "Events this replica's relay published", labels=["service"]
        )
        published.add_metric([service], runtime.relay.published)
        yield from (leading, published)
        if runtime.relay_lag is not None:
            lag = GaugeMetricFamily(
                "miiwrap_relay_lag_events",
                "Committed events not yet published to JetStream",
                labels=["service"],
            )
            lag.add_metric([service], runtime.relay_lag)
            yield lag
        pending = GaugeMetricFamily(
            "miiwrap_consumer_pending_messages",
            "Messages JetStream still holds for a consumer (its lag)",
            labels=["service", "consumer"],
        )
        processed = CounterMetricFamily(
            "miiwrap_consumer_processed",
            "Messages a consumer handled",
            labels=["service", "consumer"],
        )
        dead = CounterMetricFamily(
            "miiwrap_consumer_dead_lettered",
            "Messages a consumer sent to dead_letters",
            labels=["service", "consumer"],
        )
        for consumer in runtime.consumers:
            if consumer.pending is not None:
                pending.add_metric([service, consumer.name], consumer.pending)
            processed.add_metric([service, consumer.name], consumer.processed)
            dead.add_metric([service, consumer.name], consumer.dead_lettered)
        yield from (pending, processed, dead)
        nats_up = GaugeMetricFamily(
            "miiwrap_nats_connected", "1 while connected to NATS", labels=["service"]
        )
        nats_up.add_metric([service], 1.0 if runtime.nats.is_connected else 0.0)
        yield nats_up


def metrics_registry(app: Any) -> CollectorRegistry:
    """A registry of this app's own (several apps share a process in tests)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RuntimeCollector(app))
    return registry
