"""Every HTTP request as a server span and in the request metrics, by route template.

Sits just inside the request-id middleware (shared/logs.py): the span continues the
caller's W3C `traceparent` (or starts a trace), is current while the request runs (so
the events it appends carry it), and its trace id joins the request id in the log
context. The route label is the template (`/practitioners/{practitioner_id}`), never the
raw path, so ids do not multiply the series; a path no route matches counts as
`unmatched`.
"""

from __future__ import annotations

import time

import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logs import bound_to_request
from shared.metrics import ServiceMetrics
from shared.tracing import (
    TRACEPARENT,
    carry_request_trace,
    detach_trace,
    span,
    tracing_enabled,
)

UNMATCHED = "unmatched"
# probes and scrapes every few seconds: counted, never traced (they would bury the rest)
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


_TRACEPARENT_HEADER = TRACEPARENT.encode()


def _traceparent(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == _TRACEPARENT_HEADER:
            return str(value.decode("latin-1"))
    return None


class HttpTelemetry:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        if scope.get("path") in UNTRACED_PATHS:
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = route_template(scope)
                self.metrics.count_request(method, route, status, time.perf_counter() - started)
            return
        if not tracing_enabled():  # the trace is only carried: no span to make or name
            token, carried_id = carry_request_trace(_traceparent(scope))
            bound = structlog.contextvars.bind_contextvars(trace_id=format(carried_id, "032x"))
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = route_template(scope)
                self.metrics.count_request(method, route, status, time.perf_counter() - started)
                structlog.contextvars.reset_contextvars(**bound)
                detach_trace(token)
            return
        with span(
            method,
            kind=SpanKind.SERVER,
            parent=_traceparent(scope),
            service=self.metrics.service,
            attributes={"http.request.method": method, "url.path": str(scope.get("path"))},
            start_trace=True,
        ) as current:
            trace_id = format(current.get_span_context().trace_id, "032x")
            with bound_to_request(trace_id=trace_id):
                try:
                    await self.app(scope, receive, send_status)
                finally:
                    route = route_template(scope)
                    self.metrics.count_request(method, route, status, time.perf_counter() - started)
                    if current.is_recording():
                        current.update_name(f"{method} {route}")
                        current.set_attribute("http.route", route)
                        current.set_attribute("http.response.status_code", status)
                        if status >= 500:
                            current.set_status(Status(StatusCode.ERROR))
