"""Time alone moves certification: the clock publishes at risk and lapsed with no new event."""

from __future__ import annotations

from datetime import date

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import PROGRAM_START, UpstreamHistory, publish


async def certified(
    api: CertificationApi,
    nats_client: Client,
    practitioner_id: str,
    program_start: date = PROGRAM_START,
) -> None:
    """Register the practitioner and feed the canonical history through the consumers."""
    await api.register(practitioner_id, program_start=program_start)
    history = UpstreamHistory.certified_facilitator(api.agency_id, practitioner_id)
    before = await api.consumed()
    sent = await publish(nats_client, api.settings.subject_root, history.events)
    await api.wait_consumed(before + sent)
    assert await api.status(practitioner_id) == "certified"


async def test_lapses_by_time_passing_with_no_new_event(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")

    await certification.tick(date(2026, 8, 28))
    assert await certification.status("pr-1") == "certified"
    await certification.tick(date(2026, 8, 29))  # 271 days since the last qualifying observation
    assert await certification.status("pr-1") == "at_risk"
    await certification.tick(date(2026, 11, 27))  # 90 days at risk
    assert await certification.status("pr-1") == "lapsed"

    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    events = await received_events(nats_client, subject, count=4)
    assert [(e.event_name, e.data.get("effective_on")) for e in events] == [
        ("practitioner_registered", None),
        ("certification_granted", "2025-12-01"),
        ("certification_at_risk", "2026-08-29"),
        ("certification_lapsed", "2026-11-27"),
    ]
    lapsed = events[-1].data["explanation"]
    assert any("at risk since 2026-08-29" in reason for reason in lapsed["reasons"])


async def test_the_clock_publishes_nothing_when_no_rule_flips(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    roster = (await certification.get("/practitioners/pr-1")).json()
    assert roster["next_change_on"] == "2026-08-29"

    await certification.tick(date(2026, 3, 1))
    await certification.tick(date(2026, 6, 1))

    assert [t["kind"] for t in await certification.history("pr-1")] == ["granted"]
    roster = (await certification.get("/practitioners/pr-1")).json()
    assert roster["evaluated_as_of"] == "2026-01-10"  # not due: not re-evaluated


async def test_only_practitioners_due_are_re_evaluated(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.register("newcomer", program_start=date(2025, 12, 1))

    await certification.tick(date(2026, 8, 29))

    rows = (await certification.get("/practitioners")).json()["items"]
    as_of = {row["practitioner_id"]: row["evaluated_as_of"] for row in rows}
    # the newcomer's next change is tenure on 2026-09-27
    assert as_of == {"pr-1": "2026-08-29", "newcomer": "2026-01-10"}
