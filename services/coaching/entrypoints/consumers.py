"""Coaching's local copy of the agency's program roster, from certification's events.

Certification owns the roster and publishes `practitioner_registered`; coaching keeps the
practitioner and their program start so the culture views count practitioners in the
program who have no coach yet. The kernel's consumer makes the copy idempotent.
"""

from __future__ import annotations

from datetime import date

from services.coaching.config import CoachingSettings
from shared.config import stream_name
from shared.consumer import EventConsumer, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.messaging import StreamPolicy
from shared.nats_auth import consumer_name
from shared.service import Runtime

REGISTERED = "practitioner_registered"


async def keep_registered_practitioner(conn: Connection, event: CloudEvent) -> None:
    if event.event_name != REGISTERED:
        return
    await conn.execute(
        "INSERT INTO registered_practitioners (agency_id, practitioner_id, program_start)"
        " VALUES ($1, $2, $3) ON CONFLICT (agency_id, practitioner_id)"
        " DO UPDATE SET program_start = excluded.program_start",
        event.agencyid,
        str(event.data["practitioner_id"]),
        date.fromisoformat(str(event.data["program_start"])),
    )


def roster_consumers(runtime: Runtime) -> list[EventConsumer]:
    settings = runtime.settings
    assert isinstance(settings, CoachingSettings)
    root = settings.subject_root
    return [
        EventConsumer(
            pool=runtime.pool,
            nats=runtime.nats,
            subscription=Subscription(
                durable=consumer_name("coaching", settings.db_schema, "roster"),
                stream=stream_name(root, "certification"),
                subjects=[f"{root}.certification.*.{REGISTERED}"],
            ),
            handler=keep_registered_practitioner,
            batch_size=settings.consumer_batch_size,
            max_deliver=settings.consumer_max_deliver,
            ack_wait=settings.consumer_ack_wait_seconds,
            streams=StreamPolicy.from_settings(settings),
        )
    ]
