"""Import windows: while an agency's history is imported, agency apps hear nothing; on close,
only the net transitions, each with its true effective date."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from nats.aio.client import Client

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app
from shared.envelope import CloudEvent
from shared.testing.apps import running
from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified
from tests.certification.upstream import GRANT_DAY, TODAY, UpstreamHistory, publish


def everything(api: CertificationApi) -> str:
    return f"{api.settings.subject_root}.certification.{api.agency_id}.>"


async def transitions_heard(api: CertificationApi, nats: Client, count: int) -> list[CloudEvent]:
    """What an agency app subscribed to the agency's certification events received."""
    events = await received_events(nats, everything(api), count=count, settle=0.5)
    return [e for e in events if e.event_name.startswith("certification_")]


async def open_window(api: CertificationApi, window_id: str = "import-1") -> dict[str, Any]:
    response = await api.post("/import-windows", {"id": window_id, "label": "agency export"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def close_window(api: CertificationApi, window_id: str = "import-1") -> dict[str, Any]:
    response = await api.post(f"/import-windows/{window_id}/close")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def send(api: CertificationApi, nats: Client, history: UpstreamHistory) -> None:
    before = await api.consumed()
    sent = await publish(nats, api.settings.subject_root, history.events)
    await api.wait_consumed(before + sent)


def with_at_risk_spell(history: UpstreamHistory) -> UpstreamHistory:
    """After the grant: a 60% observation puts the level at risk, two good ones restore it."""
    history.observed(date(2025, 12, 15), total=60)
    history.observed(date(2026, 1, 5), total=95)
    return history.observed(date(2026, 1, 8), total=95)


async def test_a_window_holds_publication_and_its_close_publishes_only_the_net_transitions(
    certification: CertificationApi, nats_client: Client
) -> None:
    opened = await open_window(certification)
    assert (opened["id"], opened["status"], opened["transitions_published"]) == (
        "import-1",
        "open",
        None,
    )
    await certification.register("pr-1")
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1")
    await send(certification, nats_client, with_at_risk_spell(history))

    state = await certification.state("pr-1")  # evaluated and current while held
    assert [(t["kind"], t["effective_on"]) for t in state["transitions"]] == [
        ("granted", "2025-12-01"),
        ("at_risk", "2025-12-15"),
        ("restored", "2026-01-08"),
    ]
    assert await certification.history("pr-1") == []
    assert await transitions_heard(certification, nats_client, count=1) == []
    held = (await certification.get("/import-windows/import-1")).json()
    assert (held["status"], held["practitioners_held"]) == ("open", 1)

    closed = await close_window(certification)

    assert (closed["status"], closed["practitioners_held"], closed["transitions_published"]) == (
        "closed",
        1,
        1,
    )
    [granted] = await transitions_heard(certification, nats_client, count=2)
    assert granted.event_name == "certification_granted"
    assert granted.data["effective_on"] == granted.data["true_effective_on"] == "2025-12-01"
    assert granted.time.date() == GRANT_DAY
    # the at-risk spell is settled: nothing publishes it later either
    await certification.tick(date(2026, 1, 11))
    assert [t["kind"] for t in await certification.history("pr-1")] == ["granted"]


async def test_an_imported_history_whose_concepts_lapsed_before_the_grant_publishes_no_grant(
    certification: CertificationApi, nats_client: Client
) -> None:
    await open_window(certification)
    await certification.register("pr-1")
    await send(
        certification,
        nats_client,
        UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1"),
    )
    assert await certification.status("pr-1") == "certified"  # a false grant, held
    # learning's lapse job announces what the imported reviews implied, at its true date
    lapse = UpstreamHistory(certification.agency_id, "pr-1").concept_lapsed(
        "C1.1", date(2025, 11, 20)
    )
    await send(certification, nats_client, lapse)
    assert await certification.status("pr-1") == "in_progress"

    closed = await close_window(certification)

    assert closed["transitions_published"] == 0
    assert await transitions_heard(certification, nats_client, count=1) == []
    assert await certification.history("pr-1") == []


async def test_the_clock_publishes_nothing_for_an_agency_whose_window_is_open(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await open_window(certification)

    await certification.tick(date(2026, 8, 29))  # 271 days with no qualifying observation

    assert await certification.status("pr-1") == "at_risk"
    heard = await transitions_heard(certification, nats_client, count=2)
    assert [e.event_name for e in heard] == ["certification_granted"]
    closed = await close_window(certification)
    assert closed["transitions_published"] == 1
    heard = await transitions_heard(certification, nats_client, count=3)
    assert [(e.event_name, e.data["effective_on"]) for e in heard] == [
        ("certification_granted", "2025-12-01"),
        ("certification_at_risk", "2026-08-29"),
    ]


async def test_opening_and_closing_are_safe_to_repeat_and_one_window_is_open_at_a_time(
    certification: CertificationApi,
) -> None:
    await open_window(certification)
    again = await certification.post(
        "/import-windows", {"id": "import-1", "label": "agency export"}
    )
    assert again.status_code == 200 and again.json()["status"] == "open"
    other_label = await certification.post("/import-windows", {"id": "import-1", "label": "x"})
    assert other_label.status_code == 409
    second = await certification.post("/import-windows", {"id": "import-2"})
    assert second.status_code == 409 and "import-1" in second.json()["detail"]
    listed = (await certification.get("/import-windows", status="open")).json()["items"]
    assert [(w["id"], w["overdue"]) for w in listed] == [("import-1", False)]

    first, repeat = await close_window(certification), await close_window(certification)

    assert first == repeat
    assert (await certification.get("/import-windows", status="open")).json()["items"] == []
    assert (await certification.post("/import-windows", {"id": "import-2"})).status_code == 201
    unknown = await certification.post("/import-windows/nope/close")
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]


async def test_a_window_with_a_bad_id_or_label_is_refused_and_nothing_opens(
    certification: CertificationApi,
) -> None:
    for body in ({"id": "has space"}, {"label": "bell\u0007"}, {"label": ""}, {"other": 1}):
        response = await certification.post("/import-windows", body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await certification.get("/import-windows")).json()["items"] == []


async def test_only_an_admin_opens_or_closes_an_import_window(
    certification: CertificationApi,
) -> None:
    for role in ("supervisor", "coach", "practitioner", "auditor"):
        response = await certification.post("/import-windows", {"id": "w"}, role=role)
        assert response.status_code == 403, role
    await open_window(certification)
    refused = await certification.post("/import-windows/import-1/close", role="auditor")
    assert refused.status_code == 403
    assert (await certification.get("/import-windows/import-1", role="auditor")).status_code == 200


async def test_a_rebuild_during_an_open_window_keeps_it_open_and_holding(
    certification: CertificationApi, nats_client: Client
) -> None:
    await open_window(certification)
    await certification.register("pr-1")
    await send(
        certification,
        nats_client,
        UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1"),
    )

    rebuilt = await certification.post("/projections/rebuild")

    assert rebuilt.status_code == 200, rebuilt.text
    assert rebuilt.json()["transitions_published"] == 0
    window = (await certification.get("/import-windows/import-1")).json()
    assert (window["status"], window["practitioners_held"]) == ("open", 1)
    assert (await close_window(certification))["transitions_published"] == 1
    rebuilt = await certification.post("/projections/rebuild")
    assert rebuilt.json()["transitions_published"] == 0
    window = (await certification.get("/import-windows/import-1")).json()
    assert (window["status"], window["transitions_published"]) == ("closed", 1)


async def test_a_restarted_service_finds_the_open_window_and_keeps_holding(
    certification: CertificationApi, nats_client: Client
) -> None:
    await open_window(certification)
    restarted_app = create_service_app(certification.settings, SettableClock(TODAY))
    async with running(restarted_app) as client:
        restarted = CertificationApi(
            client,
            certification.settings,
            certification.agency_id,
            restarted_app,
            SettableClock(TODAY),
        )
        window = (await restarted.get("/import-windows/import-1")).json()
        assert window["status"] == "open"
        await restarted.register("pr-1")
        await send(
            restarted,
            nats_client,
            UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1"),
        )
        assert await restarted.status("pr-1") == "certified"
        assert await transitions_heard(restarted, nats_client, count=1) == []
        assert (await close_window(restarted))["transitions_published"] == 1


async def test_a_shuffled_import_closes_on_the_same_transitions_as_the_date_ordered_one(
    certification: CertificationApi, nats_client: Client
) -> None:
    await open_window(certification)
    sends: dict[str, UpstreamHistory] = {}
    for practitioner_id in ("in-order", "shuffled"):
        await certification.register(practitioner_id)
        history = UpstreamHistory.certified_facilitator(certification.agency_id, practitioner_id)
        with_at_risk_spell(history).concept_lapsed("C1.1", date(2026, 1, 9))
        sends[practitioner_id] = history
    sends["in-order"].events.sort(key=lambda e: e.time)
    random.Random(13).shuffle(sends["shuffled"].events)
    for history in sends.values():
        await send(certification, nats_client, history)

    assert (await close_window(certification))["transitions_published"] == 4

    heard = await transitions_heard(certification, nats_client, count=2 + 4)
    told = {
        p: [
            (e.event_name, e.data["effective_on"], e.data["true_effective_on"])
            for e in heard
            if e.subject == p
        ]
        for p in sends
    }
    assert (
        told["in-order"]
        == told["shuffled"]
        == [
            ("certification_granted", "2025-12-01", "2025-12-01"),
            ("certification_at_risk", "2026-01-09", "2026-01-09"),  # the concept lapse
        ]
    )


async def test_a_close_right_after_the_last_upstream_write_waits_for_that_evidence(
    certification: CertificationApi, nats_client: Client
) -> None:
    await open_window(certification)
    await certification.register("pr-1")
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1")
    await publish(nats_client, certification.settings.subject_root, history.events)

    closed = await close_window(certification)  # no wait for the consumers here

    assert (closed["upstream_pending_at_close"], closed["transitions_published"]) == (0, 1)
    [granted] = await transitions_heard(certification, nats_client, count=2)
    assert granted.data["effective_on"] == GRANT_DAY.isoformat()
