"""Policies as versioned data: create from JSON, adopt with history, what-if before adopting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.policy_drafts import policy_json, with_tenure
from tests.certification.test_certification_clock import certified


async def test_every_agency_starts_under_the_seed_policy(certification: CertificationApi) -> None:
    listed = (await certification.get("/policies", "auditor")).json()["items"]
    assert [(p["policy_id"], p["policy_version"], p["seed"]) for p in listed] == [
        ("miiwrap-default", 1, True)
    ]
    adopted = (await certification.get("/policies/adopted")).json()
    assert (adopted["policy_id"], adopted["policy_version"], adopted["adopted_on"]) == (
        "miiwrap-default",
        1,
        None,
    )


async def test_adopting_a_new_version_re_evaluates_and_keeps_the_history(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    draft = with_tenure(policy_json(2), 400)
    created = await certification.post("/policies", draft)
    assert created.status_code == 201, created.text
    assert (await certification.post("/policies", draft)).status_code == 200  # a repeat

    adopted = await certification.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 2}
    )
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["practitioners_evaluated"] == 1
    assert await certification.status("pr-1") == "in_progress"  # 369 days of tenure < 400

    root, agency = certification.settings.subject_root, certification.agency_id
    lapsed = f"{root}.certification.{agency}.certification_lapsed.>"
    [correction] = await received_events(nats_client, lapsed, count=1)
    assert (correction.data["policy_version"], correction.data["correction"]) == (2, True)

    certification.clock.set(date(2026, 1, 12))
    back = await certification.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 1}
    )
    assert back.status_code == 201
    assert await certification.status("pr-1") == "certified"
    history = (await certification.get("/policies/adoptions")).json()["items"]
    assert [(a["policy_version"], a["adopted_on"]) for a in history] == [
        (2, "2026-01-10"),
        (1, "2026-01-12"),
    ]


async def test_a_past_date_is_judged_under_the_policy_adopted_on_that_date(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.post("/policies", with_tenure(policy_json(2), 400))
    adopted = await certification.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 2}
    )
    adopted_on = date.fromisoformat(adopted.json()["adopted_on"])

    def state(as_of: date | None) -> Any:
        day = as_of.isoformat() if as_of else None
        return certification.get("/practitioners/pr-1/certification", as_of=day)

    before = (await state(adopted_on - timedelta(days=1))).json()
    on_the_day = (await state(adopted_on)).json()
    now = (await state(None)).json()
    assert before["policy_version"] == 1  # the seed was in force the day before
    assert before["levels"][0]["status"] == "certified"
    assert on_the_day["policy_version"] == now["policy_version"] == 2
    assert now["levels"][0]["status"] == "in_progress"  # 400 days of tenure not yet reached


async def test_a_version_is_immutable_and_the_seed_is_reserved(
    certification: CertificationApi,
) -> None:
    assert (await certification.post("/policies", policy_json(2))).status_code == 201
    changed = await certification.post("/policies", with_tenure(policy_json(2), 200))
    assert changed.status_code == 409
    assert "next version" in changed.json()["detail"]
    seed_changed = await certification.post("/policies", with_tenure(policy_json(1), 200))
    assert seed_changed.status_code == 409


async def test_bad_policy_json_is_refused_with_what_to_fix_and_nothing_stored(
    certification: CertificationApi,
) -> None:
    unknown_type = policy_json(3)
    unknown_type["levels"][0]["requires"][0] = {"type": "vibes", "min": 1}
    forward_reference = policy_json(4)
    forward_reference["levels"].reverse()
    century = with_tenure(policy_json(5), 10_000_000)  # would overflow date arithmetic
    for body in (unknown_type, forward_reference, century, {"id": "x"}, [1, 2]):
        response = await certification.post("/policies", body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert (
        "earlier level"
        in (await certification.post("/policies", forward_reference)).json()["detail"]
    )
    what_if = await certification.post("/policies/what-if", century)
    assert what_if.status_code == 422
    assert "min_days" in what_if.json()["detail"]
    unknown = await certification.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 9}
    )
    assert unknown.status_code == 404
    listed = (await certification.get("/policies")).json()["items"]
    assert len(listed) == 1


async def test_only_an_admin_creates_and_adopts_policies(certification: CertificationApi) -> None:
    for role in ("supervisor", "auditor", "coach"):
        assert (await certification.post("/policies", policy_json(2), role=role)).status_code == 403
        adoption = {"policy_id": "miiwrap-default", "policy_version": 1}
        assert (
            await certification.post("/policies/adoptions", adoption, role=role)
        ).status_code == 403


async def test_what_if_lists_who_would_gain_keep_or_lose_each_level(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "veteran")  # 369 days in the program
    await certified(certification, nats_client, "recent", program_start=date(2025, 2, 1))  # 343
    await certification.register("newcomer", program_start=date(2025, 12, 1))
    draft = with_tenure(policy_json(2), 350)

    response = await certification.post("/policies/what-if", draft, role="supervisor", limit=2)

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["draft_policy"] == {"policy_id": "miiwrap-default", "policy_version": 2}
    assert report["summary"]["facilitator"] == {"gain": 0, "keep": 1, "lose": 1, "unaffected": 1}
    page = report["practitioners"]
    assert {p["practitioner_id"]: p["changes"]["facilitator"] for p in page["items"]} == {
        "newcomer": "unaffected",
        "recent": "lose",
    }
    rest = await certification.post(
        "/policies/what-if", draft, role="auditor", limit=2, cursor=page["next_cursor"]
    )
    [veteran] = rest.json()["practitioners"]["items"]
    assert (veteran["practitioner_id"], veteran["changes"]["facilitator"]) == ("veteran", "keep")
    assert await certification.status("recent") == "certified"  # nothing was adopted
    observer = await certification.post("/policies/what-if", draft, role="coach")
    assert observer.status_code == 403
