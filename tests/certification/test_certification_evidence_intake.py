"""Evidence from the upstream streams, through the durable consumers, into published transitions."""

from __future__ import annotations

import random
from datetime import date

from nats.aio.client import Client

from services.certification.domain.upstream import delivered
from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import GRANT_DAY, UpstreamHistory, publish


def granted_subject(api: CertificationApi) -> str:
    root = api.settings.subject_root
    return f"{root}.certification.{api.agency_id}.certification_granted.>"


async def test_upstream_evidence_leads_to_a_published_grant_with_its_explanation(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certification.register("pr-1")
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1")
    sent = await publish(nats_client, certification.settings.subject_root, history.events)
    await certification.wait_consumed(sent)

    [granted] = await received_events(nats_client, granted_subject(certification), count=1)
    assert granted.type == "org.miiwrap.certification.certification_granted.v1"
    assert granted.subject == "pr-1"
    assert granted.agencyid == certification.agency_id
    assert granted.time.date() == GRANT_DAY
    data = granted.data
    assert (data["level"], data["effective_on"]) == ("facilitator", GRANT_DAY.isoformat())
    assert (data["policy_id"], data["policy_version"]) == ("miiwrap-default", 1)
    requirements = {r["requirement"]: r for r in data["explanation"]["requirements"]}
    assert all(r["met"] for r in requirements.values())
    observation_ids = {e.id for e in history.events if e.event_name == "observation_recorded"}
    assert set(requirements["qualifying_observations"]["evidence_ids"]) == observation_ids
    assert await certification.status("pr-1") == "certified"


async def test_the_same_evidence_twice_and_shuffled_gives_the_same_state(
    certification: CertificationApi, nats_client: Client
) -> None:
    root = certification.settings.subject_root
    await certification.register("in-order")
    await certification.register("shuffled")
    in_order = UpstreamHistory.certified_facilitator(certification.agency_id, "in-order")
    shuffled = UpstreamHistory.certified_facilitator(certification.agency_id, "shuffled")
    repeats = random.Random(7).sample(shuffled.events, 12)
    redelivered = shuffled.events + repeats
    random.Random(11).shuffle(redelivered)

    sent = await publish(nats_client, root, in_order.events)
    sent += await publish(nats_client, root, redelivered, deduplicate=False)
    repeated = sum(delivered(e.service, e.event_name) for e in repeats)
    await certification.wait_consumed(sent - repeated)  # the inbox holds each event id once

    def comparable(state: dict[str, object]) -> object:
        levels = state["levels"]
        assert isinstance(levels, list)
        return [
            (lv["status"], lv["since"], [r["met"] for r in lv["requirements"]]) for lv in levels
        ]

    first, second = await certification.state("in-order"), await certification.state("shuffled")
    assert comparable(first) == comparable(second)
    assert [(t["kind"], t["effective_on"]) for t in first["transitions"]] == [
        (t["kind"], t["effective_on"]) for t in second["transitions"]
    ]
    # Shuffled, a grant can first be computed on a later day and then corrected when the
    # missing (earlier) evidence arrives: the standing history is the same either way.
    standing = [
        [
            (t["kind"], t["effective_on"])
            for t in await certification.history(p)
            if not t["retracted_by"]
        ]
        for p in ("in-order", "shuffled")
    ]
    assert standing[0] == standing[1] == [("granted", GRANT_DAY.isoformat())]


async def test_evidence_that_arrives_before_registration_counts_once_registered(
    certification: CertificationApi, nats_client: Client
) -> None:
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "early")
    sent = await publish(nats_client, certification.settings.subject_root, history.events)
    await certification.wait_consumed(sent)
    await certification.register("early")
    assert await certification.status("early") == "certified"


async def test_events_that_are_no_evidence_are_never_delivered_and_change_nothing(
    certification: CertificationApi, nats_client: Client
) -> None:
    """An assessment attempt is stored in learning's stream but certification's consumer
    does not subscribe to it: the rating published after it is the only event taken in."""
    await certification.register("pr-1")
    attempt = UpstreamHistory(certification.agency_id, "pr-1").assessment_attempted(
        date(2025, 3, 1)
    )
    rating = UpstreamHistory(certification.agency_id, "pr-1").rated(
        "ENG", "with_support", date(2025, 3, 2)
    )
    root = certification.settings.subject_root
    assert await publish(nats_client, root, [*attempt.events, *rating.events]) == 1
    await certification.wait_consumed(1)
    async with certification.runtime.pool.acquire() as conn:
        taken = [r["event_id"] for r in await conn.fetch("SELECT event_id FROM consumer_inbox")]
    assert taken == [rating.events[0].id]
    assert await certification.status("pr-1") == "in_progress"
    assert await certification.history("pr-1") == []


async def test_a_payload_that_breaks_the_contract_is_set_aside_and_the_stream_moves_on(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certification.register("pr-1")
    broken = UpstreamHistory(certification.agency_id, "pr-1").rated("ENG", "superb", GRANT_DAY)
    fine = UpstreamHistory(certification.agency_id, "pr-1").rated("ENG", "independent", GRANT_DAY)
    root = certification.settings.subject_root
    await publish(nats_client, root, [*broken.events, *fine.events])
    await certification.wait_consumed(2)
    async with certification.runtime.pool.acquire() as conn:
        rejected = await conn.fetch("SELECT event_id, error FROM rejected_evidence")
        kept = await conn.fetchval("SELECT count(*) FROM evidence WHERE kind = 'skill_rated'")
    assert [r["event_id"] for r in rejected] == [broken.events[0].id]
    assert "level" in rejected[0]["error"]
    assert kept == 1


async def test_evidence_outside_the_kernel_date_range_is_a_dead_letter_listed_by_the_api(
    certification: CertificationApi, nats_client: Client
) -> None:
    """What certification cannot take is never dropped: the admin and auditor see it."""
    await certification.register("pr-1")
    ancient = UpstreamHistory(certification.agency_id, "pr-1").rated(
        "ENG", "independent", date(1899, 12, 31)
    )
    await publish(nats_client, certification.settings.subject_root, ancient.events)
    await certification.wait_consumed(1)

    listed = await certification.get("/rejected-evidence", "auditor")
    assert listed.status_code == 200, listed.text
    [dead] = listed.json()["items"]
    assert dead["event_id"] == ancient.events[0].id
    assert "1900-01-01" in dead["error"] or "greater than or equal" in dead["error"]
    assert dead["payload"]["id"] == ancient.events[0].id
    assert (await certification.get("/rejected-evidence", "coach")).status_code == 403
    crafted = await certification.get("/rejected-evidence", cursor="WyJ4Il0=")
    assert crafted.status_code == 400
