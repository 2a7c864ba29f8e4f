"""One observation's trace reaches the agency app: the upstream event's `traceparent`
continues through certification's consumer, the grant it causes, certification's relay
and the NATS header the agency app receives."""

from __future__ import annotations

import asyncio
import uuid

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared.envelope import CloudEvent
from shared.tracing import trace_id_of, traced_by
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import UpstreamHistory, publish


async def first_message(nats: Client, subject: str, timeout: float = 20.0) -> Msg:
    """The first message on `subject`, headers included (as an agency app receives it)."""
    js = nats.jetstream()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            sub = await js.subscribe(
                subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
            )
            break
        except NotFoundError:
            assert loop.time() < deadline, f"no stream holds {subject!r}"
            await asyncio.sleep(0.1)
    try:
        return await sub.next_msg(timeout=timeout)
    finally:
        await sub.unsubscribe()


async def test_the_grant_an_observation_completes_reaches_the_agency_app_in_its_trace(
    certification: CertificationApi, nats_client: Client
) -> None:
    root, agency = certification.settings.subject_root, certification.agency_id
    await certification.register("traced")
    *earlier, completing = UpstreamHistory.certified_facilitator(agency, "traced").events
    assert completing.event_name == "observation_recorded"
    await certification.wait_consumed(await publish(nats_client, root, earlier))

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace_id = uuid.uuid4().hex
    observed = completing.model_copy(
        update={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}
    )
    with traced_by(provider):
        await publish(nats_client, root, [observed])
        granted = await first_message(
            nats_client, f"{root}.certification.{agency}.certification_granted"
        )
    event = CloudEvent.from_json(granted.data)
    assert event.subject == "traced"
    assert trace_id_of(event.traceparent) == trace_id  # the CloudEvents extension
    assert granted.headers is not None
    assert trace_id_of(granted.headers["traceparent"]) == trace_id  # the NATS header
    in_trace = [
        (span.kind, span.name)
        for span in exporter.get_finished_spans()
        if format(span.context.trace_id, "032x") == trace_id
    ]
    kinds = {kind for kind, _ in in_trace}
    assert {SpanKind.CONSUMER, SpanKind.PRODUCER} <= kinds
    names = [name for _, name in in_trace]
    assert any(n.startswith("process ") and n.endswith("observation_recorded") for n in names)
    assert any(n.endswith(" finish") for n in names)  # the batch's re-evaluation
    assert any(n.startswith("publish ") and n.endswith("certification_granted") for n in names)
