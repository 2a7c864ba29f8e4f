"""Durable JetStream consumers of the learning, coaching and fidelity streams.

One consumer per upstream stream; the durable name carries the database schema, so two
deployments (or two tests) sharing a NATS server never share a cursor. The kernel's
inbox makes each event count once. A fetched batch is one transaction: its locks are
taken up front in a fixed order, each event is checked against the contract, then the
batch's evidence is stored together and each practitioner it touched is re-evaluated
once (handlers/batch_intake.py).
"""

from __future__ import annotations

from services.certification.adapters.clock import CLOCK
from services.certification.config import certification_settings
from services.certification.handlers.batch_intake import check_upstream_event, take_in_batch
from services.certification.handlers.intake import lock_batch
from shared.config import stream_name
from shared.consumer import BatchHook, EventConsumer, Handler, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.messaging import StreamPolicy
from shared.nats_auth import consumer_name
from shared.service import Runtime

UPSTREAM_SERVICES = ("learning", "coaching", "fidelity")


def _handler(runtime: Runtime) -> Handler:
    async def on_event(conn: Connection, event: CloudEvent) -> None:
        today = CLOCK.of(runtime).today()
        await check_upstream_event(conn, runtime.store, event, today)

    return on_event


def _finish(runtime: Runtime) -> BatchHook:
    async def on_batch(conn: Connection, events: list[CloudEvent]) -> None:
        await take_in_batch(conn, runtime.store, events, CLOCK.of(runtime).today())

    return on_batch


def evidence_consumers(runtime: Runtime) -> list[EventConsumer]:
    settings = runtime.settings
    root = settings.subject_root
    return [
        EventConsumer(
            pool=runtime.pool,
            nats=runtime.nats,
            subscription=Subscription(
                durable=consumer_name("certification", settings.db_schema, service),
                stream=stream_name(root, service),
                subjects=[f"{root}.{service}.>"],
            ),
            handler=_handler(runtime),
            prepare=lock_batch,
            finish=_finish(runtime),
            batch_size=settings.consumer_batch_size,
            gather_seconds=certification_settings(settings).consumer_gather_seconds,
            max_deliver=settings.consumer_max_deliver,
            ack_wait=settings.consumer_ack_wait_seconds,
            streams=StreamPolicy.from_settings(settings),
        )
        for service in UPSTREAM_SERVICES
    ]
