"""Tracing's switches and what it carries while off (pure: no servers, no exporter)."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind

from shared.tracing import (
    current_traceparent,
    exporter_from_environment,
    parse_traceparent,
    span,
    trace_id_of,
    traced_by,
)

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.mark.parametrize(
    ("environ", "exporter"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, None),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, None),
    ],
)
def test_tracing_is_off_unless_the_otel_variables_turn_it_on(
    environ: dict[str, str], exporter: str | None
) -> None:
    assert exporter_from_environment(environ) == exporter


def test_an_unsupported_exporter_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="zipkin"):
        exporter_from_environment({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_while_off_a_span_carries_its_parent_unchanged() -> None:
    with traced_by(None), span("process", kind=SpanKind.CONSUMER, parent=PARENT):
        assert current_traceparent() == PARENT
    assert current_traceparent() is None  # restored after the block


def test_while_off_a_request_without_a_parent_still_gets_a_trace_id() -> None:
    with traced_by(None), span("GET", kind=SpanKind.SERVER, start_trace=True):
        made = current_traceparent()
    assert made is not None and trace_id_of(made) is not None
    with traced_by(None), span("publish", kind=SpanKind.PRODUCER):
        assert current_traceparent() is None  # nothing invented below a request


@pytest.mark.parametrize("value", [None, "", "garbage", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"])
def test_a_missing_or_malformed_traceparent_is_no_parent(value: str | None) -> None:
    assert parse_traceparent(value) is None
