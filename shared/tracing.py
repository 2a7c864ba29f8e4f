"""OpenTelemetry traces: one trace from an HTTP request, through the events it appends and
their trip over NATS, into the consumers that handle them (and the events those append).

The W3C `traceparent` travels three ways: the HTTP request's header, the event's
CloudEvents `traceparent` extension (stored in the event's metadata at append, so the
relay publishes it long after the request), and the `traceparent` NATS header the relay
sets. A consumer continues the trace under the NATS header (the relay's publish span) or,
without one, the envelope's.

Off by default: with no exporter configured, no span is recorded, the ids are only
carried along (an HTTP request without a `traceparent` gets fresh ids, so its events
still share a trace id), and the relay and consumers create no spans at all. Turned on
by the standard variables: `OTEL_TRACES_EXPORTER=otlp` (or `console`), or an
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; the exporter, the
sampler (`OTEL_TRACES_SAMPLER`), the batch processor (`OTEL_BSP_*`) and the resource
(`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`) read their own variables;
`OTEL_SDK_DISABLED=true` keeps it off.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()


@dataclass
class Tracing:
    """The process's tracer provider, or None while tracing is off."""

    provider: TracerProvider | None = None

    @property
    def enabled(self) -> bool:
        return self.provider is not None


_TRACING = Tracing()
_configured = False


def exporter_from_environment(environ: Mapping[str, str]) -> str | None:
    """`otlp`, `console` or None (off), from the standard OTEL_* variables."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    chosen = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not chosen:
        endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get(
            "OTEL_EXPORTER_OTLP_ENDPOINT"
        )
        return "otlp" if endpoint else None
    if chosen == "none":
        return None
    if chosen not in ("otlp", "console"):
        raise ValueError(
            f"OTEL_TRACES_EXPORTER={chosen!r} is not supported here; use otlp, console or none"
        )
    return chosen


def _processor(exporter: str) -> SpanProcessor:
    if exporter == "console":
        return BatchSpanProcessor(ConsoleSpanExporter())
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: only http/protobuf is installed "
            "(the collector's port 4318)"
        )
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return BatchSpanProcessor(OTLPSpanExporter())


def configure_tracing(service_name: str) -> None:
    """Install the exporter the environment asks for, once per process (apps share it)."""
    global _configured
    if _configured:
        return
    _configured = True
    exporter = exporter_from_environment(os.environ)
    if exporter is None:
        return
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(_processor(exporter))
    _TRACING.provider = provider


def flush_traces() -> None:
    if _TRACING.provider is not None:
        _TRACING.provider.force_flush(timeout_millis=2000)


@contextmanager
def traced_by(provider: TracerProvider | None) -> Iterator[None]:
    """Use `provider` for the duration (a test's in-memory exporter), then restore."""
    previous = _TRACING.provider
    _TRACING.provider = provider
    try:
        yield
    finally:
        _TRACING.provider = previous


def tracing_enabled() -> bool:
    return _TRACING.enabled


# version 00 is exactly these four fields; a later version may append more after a '-'
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")


def parse_traceparent(value: str | None) -> SpanContext | None:
    """The remote span context a W3C `traceparent` names, or None when absent or malformed
    (parsed by hand: it runs for every consumed message, tracing on or off)."""
    matched = _TRACEPARENT.fullmatch(value) if value else None
    if matched is None:
        return None
    version, trace_hex, span_hex, flags, rest = matched.groups()
    if version == "ff" or (version == "00" and rest):
        return None
    trace_id, span_id = int(trace_hex, 16), int(span_hex, 16)
    if not trace_id or not span_id:
        return None
    return SpanContext(
        trace_id=trace_id, span_id=span_id, is_remote=True, trace_flags=TraceFlags(int(flags, 16))
    )


def current_traceparent() -> str | None:
    """The `traceparent` of the current span (what an appended event carries)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def trace_id_of(traceparent: str | None) -> str | None:
    parsed = parse_traceparent(traceparent)
    return format(parsed.trace_id, "032x") if parsed else None


def _fresh_context() -> SpanContext:
    return SpanContext(
        trace_id=random.getrandbits(128) or 1,
        span_id=random.getrandbits(64) or 1,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.DEFAULT),
    )


def carry_request_trace(traceparent: str | None) -> tuple[object, int]:
    """Tracing off: make the caller's trace, or a fresh one, current without a span (what
    `span(..., start_trace=True)` does then), with no context manager around it: every
    request pays for this. The token is for `detach_trace`; the int is the trace id."""
    context = parse_traceparent(traceparent) or _fresh_context()
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(context)))
    return token, context.trace_id


def detach_trace(token: object) -> None:
    otel_context.detach(token)  # type: ignore[arg-type]


@contextmanager
def carried(traceparent: str | None) -> Iterator[None]:
    """Make a remote `traceparent` current for the block, without a span of our own."""
    remote = parse_traceparent(traceparent)
    if remote is None:
        yield
        return
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(remote)))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind,
    parent: str | None = None,
    service: str = "miiwrap",
    attributes: Mapping[str, str | int] | None = None,
    links: Sequence[str] = (),
    start_trace: bool = False,
) -> Iterator[Span]:
    """A span made current for the block, child of the `parent` traceparent.

    Tracing off: no span is made; the parent (or, with `start_trace`, fresh ids) is made
    current, so what the block appends still carries the trace along."""
    remote = parse_traceparent(parent)
    provider = _TRACING.provider
    if provider is None:
        carried = remote or (_fresh_context() if start_trace else None)
        if carried is None:
            yield trace.INVALID_SPAN
            return
        token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(carried)))
        try:
            yield trace.get_current_span()
        finally:
            otel_context.detach(token)
        return
    parent_context = (
        trace.set_span_in_context(NonRecordingSpan(remote)) if remote else otel_context.Context()
    )
    linked = [Link(c) for c in (parse_traceparent(t) for t in links) if c is not None]
    tracer = provider.get_tracer(f"miiwrap.{service}")
    with tracer.start_as_current_span(
        name, context=parent_context, kind=kind, attributes=attributes, links=linked
    ) as current:
        yield current


def consumer_span(consumer: str, operation: str, messages: Sequence[tuple[Any, Any]]) -> Any:
    """A consumer's span over (NATS message, CloudEvent) pairs: `process` for one, `finish`
    for a batch's hook. The parent is the last message's trace (its NATS header, else its
    envelope); the others' are links, so a batch's shared work stays findable from each."""
    parents = [
        (getattr(msg, "headers", None) or {}).get(TRACEPARENT) or event.traceparent
        for msg, event in messages
    ]
    if _TRACING.provider is None:  # off: carry the trace along, make nothing
        return carried(parents[-1])
    subject = getattr(messages[-1][0], "subject", "")
    return span(
        f"{operation} {subject}" if operation == "process" else f"{consumer} {operation}",
        kind=SpanKind.CONSUMER,
        parent=parents[-1],
        service="consumer",
        attributes={
            "messaging.system": "nats",
            "messaging.consumer.group.name": consumer,
            "messaging.batch.message_count": len(messages),
        },
        links=[p for p in parents[:-1] if p],
    )
