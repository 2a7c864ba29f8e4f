"""Durable JetStream consumers of the learning, coaching and fidelity streams.

One consumer per upstream stream, filtered to the events certification reads
(domain/upstream.py `TAKEN_IN`: one filter subject per event type; fidelity's is read
whole, see `READ_WHOLE`); a durable still filtered to the whole stream, as earlier
releases created it, is narrowed when bound.
The durable name carries the database schema, so two
deployments (or two tests) sharing a NATS server never share a cursor. The kernel's
inbox makes each event count once. A fetched batch is one transaction: its locks are
taken up front in a fixed order, each event is checked against the contract, then the
batch's evidence is stored together and each practitioner it touched is re-evaluated
once (handlers/batch_intake.py).
"""

from __future__ import annotations

from services.certification.adapters.clock import CLOCK
from services.certification.config import certification_settings
from services.certification.domain.upstream import (
    UPSTREAM_SERVICES,
    upstream_filters,
    whole_stream_filter,
)
from services.certification.handlers.batch_intake import (
    BatchParts,
    check_upstream_event,
    take_in_batch,
)
from services.certification.handlers.intake import lock_batch
from shared.config import stream_name
from shared.consumer import BatchHook, EventConsumer, Handler, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.messaging import StreamPolicy
from shared.nats_auth import consumer_name
from shared.service import Runtime


def _handler(runtime: Runtime, parts: BatchParts) -> Handler:
    async def on_event(conn: Connection, event: CloudEvent) -> None:
        today = CLOCK.of(runtime).today()
        await check_upstream_event(conn, runtime.store, event, today, parts)

    return on_event


def _prepare(parts: BatchParts) -> BatchHook:
    async def before_batch(conn: Connection, events: list[CloudEvent]) -> None:
        await lock_batch(conn, events, parts)

    return before_batch


def _finish(runtime: Runtime, parts: BatchParts) -> BatchHook:
    async def on_batch(conn: Connection, events: list[CloudEvent]) -> None:
        try:
            await take_in_batch(conn, runtime.store, events, CLOCK.of(runtime).today(), parts)
        finally:
            parts.clear()

    return on_batch


def evidence_consumers(runtime: Runtime) -> list[EventConsumer]:
    settings = runtime.settings
    root = settings.subject_root
    consumers: list[EventConsumer] = []
    for service in UPSTREAM_SERVICES:
        parts = BatchParts()  # the events of this consumer's batch in hand, parsed once
        consumers.append(
            EventConsumer(
                pool=runtime.pool,
                nats=runtime.nats,
                subscription=upstream_subscription(root, settings.db_schema, service),
                handler=_handler(runtime, parts),
                prepare=_prepare(parts),
                finish=_finish(runtime, parts),
                batch_size=settings.consumer_batch_size,
                gather_seconds=certification_settings(settings).consumer_gather_seconds,
                max_deliver=settings.consumer_max_deliver,
                ack_wait=settings.consumer_ack_wait_seconds,
                streams=StreamPolicy.from_settings(settings),
            )
        )
    return consumers


def upstream_subscription(root: str, schema: str, service: str) -> Subscription:
    """Certification's durable on `service`'s stream, filtered to the events it reads."""
    return Subscription(
        durable=consumer_name("certification", schema, service),
        stream=stream_name(root, service),
        subjects=[f"{root}.{f}" for f in upstream_filters(service)],
        superseded=(f"{root}.{whole_stream_filter(service)}",),
    )
