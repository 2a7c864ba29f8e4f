"""Durable JetStream consumers of the learning, coaching and fidelity streams.

One consumer per upstream stream; the durable name carries the database schema, so two
deployments (or two tests) sharing a NATS server never share a cursor. The kernel's
inbox makes each event count once; the handler stores its evidence and re-evaluates
the practitioner in the inbox row's transaction.
"""

from __future__ import annotations

from services.certification.adapters.clock import CLOCK
from services.certification.handlers.intake import receive_upstream_event
from shared.config import stream_name
from shared.consumer import EventConsumer, Handler, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.service import Runtime

UPSTREAM_SERVICES = ("learning", "coaching", "fidelity")


def _handler(runtime: Runtime) -> Handler:
    async def on_event(conn: Connection, event: CloudEvent) -> None:
        await receive_upstream_event(conn, runtime.store, event, CLOCK.of(runtime).today())

    return on_event


def evidence_consumers(runtime: Runtime) -> list[EventConsumer]:
    settings = runtime.settings
    root = settings.subject_root
    return [
        EventConsumer(
            pool=runtime.pool,
            nats=runtime.nats,
            subscription=Subscription(
                durable=f"certification-{settings.db_schema}-{service}",
                stream=stream_name(root, service),
                subjects=[f"{root}.{service}.>"],
            ),
            handler=_handler(runtime),
            batch_size=settings.consumer_batch_size,
            max_deliver=settings.consumer_max_deliver,
        )
        for service in UPSTREAM_SERVICES
    ]
