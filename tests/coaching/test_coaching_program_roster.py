"""Coaching counts everyone registered in the program, coached or not yet.

Certification owns the roster and publishes `practitioner_registered`; coaching keeps a
local copy through a durable consumer, so the culture views' denominators include a
practitioner who has no coach yet — the one the view exists to show.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nats.aio.client import Client

from shared.config import event_subject, stream_name
from shared.envelope import CloudEvent, event_source, event_type
from shared.messaging import ensure_stream
from shared.testing.waiting import eventually
from tests.coaching.coaching_api import CoachingApi


def registered(agency_id: str, practitioner_id: str, program_start: str) -> CloudEvent:
    """`practitioner_registered` in the contract's shape (docs/events.md)."""
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=event_source("certification"),
        type=event_type("certification", "practitioner_registered", 1),
        subject=practitioner_id,
        time=datetime.fromisoformat(f"{program_start}T12:00:00+00:00"),
        agencyid=agency_id,
        recordedtime=datetime.now(UTC),
        data={
            "practitioner_id": practitioner_id,
            "role": "facilitator",
            "program_start": program_start,
            "coach_id": None,
            "supervisor_id": None,
        },
    )


async def publish_as_certification(api: CoachingApi, client: Client, event: CloudEvent) -> None:
    root = api.settings.subject_root
    js = client.jetstream()
    await ensure_stream(js, stream_name(root, "certification"), [f"{root}.certification.>"])
    subject = event_subject(root, "certification", event.agencyid, event.event_name)
    await js.publish(subject, event.to_json(), headers={"Nats-Msg-Id": event.id})


async def test_a_practitioner_registered_in_the_program_counts_before_any_coaching(
    api: CoachingApi, nats_client: Client
) -> None:
    event = registered(api.agency_id, "prac-new", "2025-01-06")
    await publish_as_certification(api, nats_client, event)
    await publish_as_certification(
        api, nats_client, registered("other-agency", "prac-x", "2025-01-06")
    )

    async def on_the_roster() -> bool:
        roster = (await api.get("/roster", api.admin)).json()["items"]
        return any(m["practitioner_id"] == "prac-new" for m in roster)

    await eventually(on_the_roster)
    roster = (await api.get("/roster", api.admin)).json()["items"]
    assert roster == [
        {"practitioner_id": "prac-new", "active_from": "2025-01-06", "active_to": None}
    ]

    culture = (await api.get("/culture", api.admin, as_of="2025-03-31")).json()
    months = {m["month"]: m for m in culture["monthly_coaching"]}
    # in the program since January, never coached: 0 of 1 each month, not "nobody active"
    for month in ("2025-01", "2025-02", "2025-03"):
        coverage = (months[month]["practitioners_coached"], months[month]["active_practitioners"])
        assert coverage == (0, 1)
        assert months[month]["share"] == 0.0
    assert months["2024-12"]["active_practitioners"] == 0

    # a redelivered registration changes nothing
    await publish_as_certification(
        api, nats_client, registered(api.agency_id, "prac-new", "2025-01-06")
    )
    roster_again = (await api.get("/roster", api.admin)).json()["items"]
    assert roster_again == roster
