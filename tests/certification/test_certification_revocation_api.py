"""Revocation and reinstatement: an agency admin's decision, with a reason, published."""

from __future__ import annotations

from datetime import date

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified
from tests.certification.upstream import TODAY


async def test_an_admin_revokes_and_reinstates_with_reasons_that_are_published(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")

    revoked = await certification.post(
        "/practitioners/pr-1/revocations", {"reason": "falsified observation records"}
    )
    assert revoked.status_code == 201, revoked.text
    # only a level held is revoked: coach was never certified, so it is not announced
    assert {lv["level"]: lv["status"] for lv in revoked.json()["levels"]} == {
        "facilitator": "revoked",
        "coach": "not_started",
    }
    certification.clock.set(date(2026, 1, 20))
    reinstated = await certification.post(
        "/practitioners/pr-1/reinstatements",
        {"level": None, "reason": "appeal upheld by the board"},
    )
    assert reinstated.status_code == 201, reinstated.text
    assert await certification.status("pr-1") == "certified"

    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    events = await received_events(nats_client, subject, count=4)
    decisions = [
        (e.event_name, e.data["level"], e.data["reason"], e.data["effective_on"])
        for e in events
        if e.event_name in ("certification_revoked", "certification_reinstated")
    ]
    today, later = TODAY.isoformat(), "2026-01-20"
    assert decisions == [
        ("certification_revoked", "facilitator", "falsified observation records", today),
        ("certification_reinstated", "facilitator", "appeal upheld by the board", later),
    ]
    assert all(e.data["from_status"] != "not_started" for e in events[1:])
    assert all(e.actor == f"{certification.agency_id}/admin-1" for e in events[2:])


async def test_a_revocation_lifted_the_same_day_is_corrected_with_the_admins_reason(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    body = {"level": "facilitator", "reason": "wrong practitioner selected"}
    assert (await certification.post("/practitioners/pr-1/revocations", body)).status_code == 201
    body["reason"] = "undo: wrong practitioner"
    assert (await certification.post("/practitioners/pr-1/reinstatements", body)).status_code == 201

    # same day: the fold keeps no trace of it, so the revocation is retracted by a correction
    history = [t for t in await certification.history("pr-1") if t["level"] == "facilitator"]
    revoked, reinstated = history[-2], history[-1]
    assert revoked["kind"] == "revoked" and revoked["retracted_by"] == reinstated["event_id"]
    assert (reinstated["kind"], reinstated["correction"]) == ("reinstated", True)
    assert reinstated["reason"] == "undo: wrong practitioner"
    assert await certification.status("pr-1") == "certified"
    # what an agency app hears: effective dates never run backwards within the level
    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    heard = [
        e
        for e in await received_events(nats_client, subject, count=4)
        if e.event_name.startswith("certification_") and e.data["level"] == "facilitator"
    ]
    assert [(e.event_name, e.data["effective_on"]) for e in heard] == [
        ("certification_granted", "2025-12-01"),
        ("certification_revoked", TODAY.isoformat()),
        ("certification_reinstated", TODAY.isoformat()),  # not dated before its revocation
    ]
    correction = heard[-1].data
    assert correction["true_effective_on"] == "2025-12-01"  # certified since the grant
    assert correction["corrects"] == [str(heard[1].id)]


async def test_revoking_every_level_when_none_is_held_is_a_conflict_naming_the_statuses(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certification.register("pr-2")
    response = await certification.post(
        "/practitioners/pr-2/revocations", {"reason": "never certified"}
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "facilitator is in progress" in detail and "only a held level" in detail
    assert await certification.history("pr-2") == []


async def test_only_an_admin_revokes(certification: CertificationApi, nats_client: Client) -> None:
    await certified(certification, nats_client, "pr-1")
    for role in ("supervisor", "coach", "auditor", "practitioner"):
        response = await certification.post(
            "/practitioners/pr-1/revocations", {"reason": "not my call"}, role=role
        )
        assert response.status_code == 403, role
        assert response.headers["content-type"] == "application/problem+json"
    assert await certification.status("pr-1") == "certified"


async def test_revocation_requests_that_make_no_sense_are_refused_with_what_to_fix(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    cases = [
        ("/practitioners/pr-1/revocations", {"level": "master", "reason": "x" * 5}, 422, "level"),
        ("/practitioners/pr-1/revocations", {"reason": ""}, 422, "reason"),
        (
            "/practitioners/pr-1/revocations",
            {"reason": "later", "effective_on": "2026-02-01"},
            422,
            "future",
        ),
        ("/practitioners/pr-1/reinstatements", {"reason": "nothing to lift"}, 409, "reinstate"),
        ("/practitioners/nobody/revocations", {"reason": "who?"}, 404, "nobody"),
    ]
    for path, body, status, hint in cases:
        response = await certification.post(path, body)
        assert response.status_code == status, (body, response.text)
        assert hint in response.json()["detail"], response.json()
    assert await certification.history("pr-1") == [
        t for t in await certification.history("pr-1") if t["kind"] == "granted"
    ]


async def test_a_second_revocation_of_a_revoked_level_is_a_conflict(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    body = {"level": "facilitator", "reason": "records under review"}
    assert (await certification.post("/practitioners/pr-1/revocations", body)).status_code == 201
    again = await certification.post("/practitioners/pr-1/revocations", body)
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]
    assert await certification.status("pr-1") == "revoked"
    not_held = await certification.post(
        "/practitioners/pr-1/revocations", {"level": "coach", "reason": "not yet ready"}
    )
    assert not_held.status_code == 409  # coach was never held: nothing to revoke
    assert "only a held level" in not_held.json()["detail"]
