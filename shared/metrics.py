"""Prometheus metrics of a service: what the kernel counts as it runs, and `/metrics`.

Two kinds: instruments updated as things happen (`ServiceMetrics`: HTTP requests,
events appended, consumer deliveries and processing time), and figures read at scrape
time (`RuntimeCollector`: tasks, relay, outbox, consumers, NATS, the database pool).
Each app has a registry of its own (several apps share a process in tests); a service
adds instruments of its own through `ServiceDefinition.metrics`. No label carries an
agency: tenants stay out of the metrics (and their cardinality).

`/metrics` is not public: it answers a Prometheus scraper that sends the service's
scrape token (`<SVC>_METRICS_TOKEN`, Prometheus `authorization.credentials_file`). With
no token configured it is open outside production (local runs, tests) and closed in
production, so a forgotten setting never exposes it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shared.problems import Unauthorized

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
# latency buckets from 5 ms to 10 s: an API answer, a consumer's message
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
GC_PAUSE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5)

router = APIRouter(tags=["health"])


class ServiceMetrics:
    """The instruments the kernel updates while a service runs."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._appended_series: dict[str, Any] = {}
        self.http_requests = Counter(
            "miiwrap_http_requests",
            "HTTP requests answered, by route template and status",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "miiwrap_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.events_appended = Counter(
            "miiwrap_events_appended",
            "Events appended to the event store, by event type (counted at insert)",
            ["service", "event"],
            registry=registry,
        )
        self.gc_pause = Histogram(
            "miiwrap_gc_pause_seconds",
            "Pauses of the garbage collector (every request in flight waits), by generation",
            ["service", "generation"],
            buckets=GC_PAUSE_BUCKETS,
            registry=registry,
        )
        self.consumer_processing = Histogram(
            "miiwrap_consumer_processing_seconds",
            "Time a consumer's handler took for one message",
            ["service", "consumer"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def observe_gc_pause(self, generation: int, seconds: float) -> None:
        self.gc_pause.labels(self.service, str(generation)).observe(seconds)

    def count_request(self, method: str, route: str, status: int, seconds: float) -> None:
        # the labelled series of a (method, route template, status), looked up once: a
        # request pays a dict lookup, not two `labels()` calls (bounded: route templates)
        key = (method, route, status)
        series = self._request_series.get(key)
        if series is None:
            series = self._request_series[key] = (
                self.http_requests.labels(self.service, method, route, str(status)),
                self.http_duration.labels(self.service, method, route),
            )
        series[0].inc()
        series[1].observe(seconds)

    def count_appended(self, event_names: list[str]) -> None:
        """Each name's count added at once: a batch of a thousand events of one name is
        one increment, not a thousand; each name's series looked up once (bounded: a
        service's event names), not by `labels()` at every append."""
        counts: dict[str, int] = {}
        for name in event_names:
            counts[name] = counts.get(name, 0) + 1
        for name, count in counts.items():
            series = self._appended_series.get(name)
            if series is None:
                series = self._appended_series[name] = self.events_appended.labels(
                    self.service, name
                )
            series.inc(count)

    def processing_observer(self, consumer: str) -> Any:
        """`observe(seconds)` for one consumer (bound once, not per message)."""
        return self.consumer_processing.labels(self.service, consumer).observe


def _family(
    kind: type[GaugeMetricFamily | CounterMetricFamily], name: str, text: str, *labels: str
) -> Any:
    return kind(name, text, labels=["service", *labels])


class RuntimeCollector(Collector):
    """Reads the running service's figures at scrape time (nothing to keep in step)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        runtime = getattr(self.app.state, "runtime", None)
        if runtime is None:
            return
        service = runtime.settings.service_name
        yield from self._tasks(runtime, service)
        yield from self._relay(runtime, service)
        yield from self._consumers(runtime, service)
        nats_up = _family(GaugeMetricFamily, "miiwrap_nats_connected", "1 while connected")
        nats_up.add_metric([service], 1.0 if runtime.nats.is_connected else 0.0)
        pool = runtime.pool
        in_use = _family(
            GaugeMetricFamily, "miiwrap_db_pool_connections_in_use", "Pool connections lent out"
        )
        in_use.add_metric([service], pool.get_size() - pool.get_idle_size())
        size = _family(GaugeMetricFamily, "miiwrap_db_pool_connections_max", "Pool size limit")
        size.add_metric([service], pool.get_max_size())
        yield from (nats_up, in_use, size)
        if runtime.database_reachable is not None:
            reachable = _family(
                GaugeMetricFamily,
                "miiwrap_database_reachable",
                "1 while the database answers (readiness depends on it; sampled)",
            )
            reachable.add_metric([service], 1.0 if runtime.database_reachable else 0.0)
            yield reachable

    def _tasks(self, runtime: Any, service: str) -> Iterator[Metric]:
        up = _family(
            GaugeMetricFamily,
            "miiwrap_task_running",
            "1 while a supervised background task runs, 0 while it waits to restart",
            "task",
        )
        restarts = _family(
            CounterMetricFamily, "miiwrap_task_restarts", "Restarts of a background task", "task"
        )
        failures = _family(
            CounterMetricFamily,
            "miiwrap_task_failures",
            "Failures of a background task (a periodic job's failed rounds included)",
            "task",
        )
        for name, state in runtime.supervisor.states.items():
            up.add_metric([service, name], 1.0 if state.status == "running" else 0.0)
            restarts.add_metric([service, name], state.restarts)
            failures.add_metric([service, name], state.failures)
        yield from (up, restarts, failures)

    def _relay(self, runtime: Any, service: str) -> Iterator[Metric]:
        leading = _family(
            GaugeMetricFamily, "miiwrap_relay_leading", "1 while this replica holds the lease"
        )
        leading.add_metric([service], 1.0 if runtime.relay.leading else 0.0)
        published = _family(
            CounterMetricFamily, "miiwrap_relay_published", "Events this replica published"
        )
        published.add_metric([service], runtime.relay.published)
        yield from (leading, published)
        if runtime.relay_lag is not None:
            depth = _family(
                GaugeMetricFamily,
                "miiwrap_relay_lag_events",
                "Outbox depth: committed events not yet published to JetStream",
            )
            depth.add_metric([service], runtime.relay_lag)
            yield depth
        if runtime.relay_lag_seconds is not None:
            age = _family(
                GaugeMetricFamily,
                "miiwrap_relay_lag_seconds",
                "Relay lag: age of the oldest committed event not yet published (0: none)",
            )
            age.add_metric([service], runtime.relay_lag_seconds)
            yield age

    def _consumers(self, runtime: Any, service: str) -> Iterator[Metric]:
        def counter(name: str, text: str) -> Any:
            return _family(CounterMetricFamily, name, text, "consumer")

        pending = _family(
            GaugeMetricFamily,
            "miiwrap_consumer_pending_messages",
            "Consumer lag: messages JetStream still holds for a consumer (unacked included)",
            "consumer",
        )
        delivered = counter("miiwrap_consumer_delivered", "Messages fetched by a consumer")
        redelivered = counter(
            "miiwrap_consumer_redelivered", "Messages a consumer received more than once"
        )
        processed = counter("miiwrap_consumer_processed", "Messages a consumer handled")
        dead = counter("miiwrap_consumer_dead_lettered", "Messages sent to dead_letters")
        for consumer in runtime.consumers:
            labels = [service, consumer.name]
            if consumer.pending is not None:
                pending.add_metric(labels, consumer.pending)
            delivered.add_metric(labels, consumer.deliveries.delivered)
            redelivered.add_metric(labels, consumer.deliveries.redelivered)
            processed.add_metric(labels, consumer.processed)
            dead.add_metric(labels, consumer.dead_lettered)
        yield from (pending, delivered, redelivered, processed, dead)
        waiting = _family(
            GaugeMetricFamily,
            "miiwrap_dead_letters_open",
            "Dead letters waiting for an operator to retry or discard them (sampled)",
            "consumer",
        )
        counts = {consumer.name: 0 for consumer in runtime.consumers}
        counts.update(runtime.dead_letters_open)
        for name, count in sorted(counts.items()):
            waiting.add_metric([service, name], count)
        yield waiting


def metrics_registry(app: Any, extra: tuple[Collector, ...] = ()) -> CollectorRegistry:
    """A registry of this app's own, with the service's own instruments (`extra`)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RuntimeCollector(app))
    for collector in extra:
        registry.register(collector)
    return registry


def _require_scrape_token(request: Request) -> None:
    settings = request.app.state.settings
    token = settings.metrics_token
    if token is None:
        if settings.environment != "production":
            return
        raise Unauthorized(
            "/metrics needs a scrape token in production: set the service's METRICS_TOKEN "
            "and send it as 'Authorization: Bearer <token>'"
        )
    sent = request.headers.get("authorization", "")
    scheme, _, credentials = sent.partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.encode(), expected):
        raise Unauthorized("send the service's scrape token as 'Authorization: Bearer <token>'")


@router.get("/metrics", include_in_schema=False, response_class=Response)
async def metrics(request: Request) -> Response:
    _require_scrape_token(request)
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=PROMETHEUS_TEXT)
