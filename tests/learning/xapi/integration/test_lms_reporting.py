"""Statements as LMSs outside cmi5 report them become evidence; every Statement's outcome
is visible; pending ones count once their learner is enrolled; voiding retracts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nats.aio.client import Client

from services.learning.xapi.adapters.mapping_store import any_pending_statement
from shared.testing.apps import runtime_of
from shared.testing.jetstream import received_events
from tests.learning.xapi.integration.lms_statements import T0, hours, module_course
from tests.learning.xapi.integration.lrs_client import Lms, without_lapses
from tests.learning.xapi.unit.builders import LMS

ADL = "http://adlnet.gov/expapi/verbs/"


def reported(practitioner: str, verb: str, activity_id: str, **extra: Any) -> dict[str, Any]:
    """A Statement as a non-cmi5 LMS sends it: no registration, ADL verb, bare Activity."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"account": {"homePage": LMS, "name": practitioner}},
        "verb": {"id": ADL + verb},
        "object": {"id": activity_id},
        **extra,
    }


def at(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


async def outcome(lms: Lms, statement_id: str) -> dict[str, Any]:
    response = await lms.admin("GET", f"/xapi-mappings/statements/{statement_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def map_m1_course(lms: Lms) -> str:
    await lms.declare_accounts(LMS)
    await lms.map_activity(
        module_course("M1"), kind="module", target_id="M1", move_on="CompletedAndPassed"
    )
    return module_course("M1")


async def test_the_readme_example_statement_becomes_an_attempt(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    # the README's Statement, as written there (no id, timestamp nor registration)
    sent = {
        "actor": {"account": {"homePage": LMS, "name": "p-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": course},
        "result": {"score": {"scaled": 0.9}},
    }

    [statement_id] = await lms.stored([sent])

    events = await received_events(nats_client, lms.events_subject, count=3)
    assert [e.event_name for e in events] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "module_mastered",
    ]
    assert events[1].data["scaled_score"] == 0.9
    assert events[1].data["source_statement_id"] == statement_id
    found = await outcome(lms, statement_id)
    assert found["outcome"] == "recorded" and found["record_id"] is not None


async def test_completed_then_passed_without_a_registration_combine(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    done = reported("p-1", "completed", course, timestamp=at(T0))
    [done_id] = await lms.stored([done])
    waiting = await outcome(lms, done_id)
    assert (waiting["outcome"], waiting["reason"]) == ("pending", "partner")
    assert "passed" in waiting["detail"]

    success = reported("p-1", "passed", course, timestamp=at(T0 + hours(2)))
    [passed_id] = await lms.stored([success])

    events = await received_events(nats_client, lms.events_subject, count=3)
    attempted = events[1]
    assert attempted.event_name == "assessment_attempted"
    assert (attempted.data["scaled_score"], attempted.data["passed"]) == (1.0, True)
    assert attempted.data["source_statement_id"] == passed_id
    assert events[2].event_name == "module_mastered"
    both = [await outcome(lms, i) for i in (done_id, passed_id)]
    assert {o["outcome"] for o in both} == {"recorded"}
    assert both[0]["record_id"] == both[1]["record_id"]


async def test_a_passed_reporting_completion_is_an_attempt_alone(lms: Lms) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    sent = reported("p-1", "passed", course, result={"completion": True, "success": True})
    [statement_id] = await lms.stored([sent])
    assert (await outcome(lms, statement_id))["outcome"] == "recorded"


async def test_completed_and_passed_beyond_the_window_do_not_combine(lms: Lms) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    await lms.stored([reported("p-1", "completed", course, timestamp=at(T0))])
    [late] = await lms.stored([reported("p-1", "passed", course, timestamp=at(T0 + hours(30)))])
    assert (await outcome(lms, late))["reason"] == "partner"


async def test_a_statement_sent_before_enrollment_becomes_evidence_on_enrollment(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    await lms.roster.register("p-2")
    sent = reported("p-2", "passed", course, result={"score": {"scaled": 0.85}}, timestamp=at(T0))
    [statement_id] = await lms.stored([sent])
    before = await outcome(lms, statement_id)
    assert (before["outcome"], before["reason"]) == ("pending", "learner")
    assert "to be enrolled" in str(before["detail"])

    await lms.enroll("p-2")

    events = without_lapses(await received_events(nats_client, lms.events_subject, count=3))
    assert [e.event_name for e in events] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "module_mastered",
    ]
    assert events[1].data["source_statement_id"] == statement_id
    assert events[1].time == T0
    assert (await outcome(lms, statement_id))["outcome"] == "recorded"


async def test_a_statement_on_an_unmapped_activity_counts_once_it_is_mapped(lms: Lms) -> None:
    await lms.declare_accounts(LMS)
    await lms.enroll("p-1")
    course = module_course("M2")
    [statement_id] = await lms.stored(
        [reported("p-1", "failed", course, result={"score": {"scaled": 0.4}})]
    )
    assert (await outcome(lms, statement_id))["reason"] == "mapping"
    await lms.map_activity(course, kind="module", target_id="M2")
    found = await outcome(lms, statement_id)
    assert found["outcome"] == "recorded" and "M2" in found["detail"]


async def test_outcomes_are_listed_per_credential_with_filters_and_pages(lms: Lms) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    recorded = reported("p-1", "passed", course, result={"score": {"scaled": 0.9}})
    waiting = [reported("p-9", "passed", course, result={"score": {"scaled": 0.7}}) for _ in "abc"]
    await lms.stored([recorded, *waiting])

    everything = await lms.admin("GET", f"/xapi-mappings/statements?credential_key={lms.key}")
    assert everything.status_code == 200, everything.text
    assert len(everything.json()["items"]) == 4
    pending_ids: list[str] = []
    cursor = None
    while True:
        query = "/xapi-mappings/statements?outcome=pending&reason=learner&limit=2"
        page = (await lms.admin("GET", query + (f"&cursor={cursor}" if cursor else ""))).json()
        pending_ids += [item["statement_id"] for item in page["items"]]
        if not (cursor := page.get("next_cursor")):
            break
    assert sorted(pending_ids) == sorted(s["id"] for s in waiting)

    own = await lms.client.get("/xapi-outcomes?outcome=recorded", headers=lms.headers())
    assert own.status_code == 200, own.text
    assert [item["statement_id"] for item in own.json()["items"]] == [recorded["id"]]
    refused = await lms.client.get("/xapi-outcomes", headers={"Authorization": "Basic eDp5"})
    assert refused.status_code == 401


async def test_voiding_a_recorded_statement_retracts_its_attempt_and_mastery(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    sent = reported("p-1", "passed", course, result={"score": {"scaled": 0.9}})
    await lms.stored([sent])
    voiding = reported("p-1", "voided", course) | {
        "object": {"objectType": "StatementRef", "id": sent["id"]}
    }
    await lms.stored([voiding])

    events = await received_events(nats_client, lms.events_subject, count=4)
    attempted, mastered, retraction = events[1:]
    assert retraction.event_name == "evidence_retracted"
    assert retraction.data["source_statement_id"] == sent["id"]
    assert retraction.data["voiding_statement_id"] == voiding["id"]
    assert sorted(retraction.data["retracted_event_ids"]) == sorted([attempted.id, mastered.id])
    found = await outcome(lms, sent["id"])
    assert (found["outcome"], found["reason"]) == ("skipped", "voided")
    # mastering again is possible: the retracted mastery no longer counts
    await lms.stored([reported("p-1", "passed", course, result={"score": {"scaled": 0.95}})])
    again = await received_events(nats_client, lms.events_subject, count=6)
    assert [e.event_name for e in again[4:]] == ["assessment_attempted", "module_mastered"]


async def test_voiding_the_mastering_statement_leaves_the_next_passing_attempt_the_mastery(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    await lms.enroll("p-1")
    now = datetime.now(UTC)
    first, second = (
        reported("p-1", "passed", course, result={"score": {"scaled": score}}, timestamp=at(when))
        for score, when in ((0.9, now - timedelta(hours=2)), (0.95, now - timedelta(hours=1)))
    )
    await lms.stored([first, second])
    voiding = reported("p-1", "voided", course) | {
        "object": {"objectType": "StatementRef", "id": first["id"]}
    }
    await lms.stored([voiding])

    events = await received_events(nats_client, lms.events_subject, count=6)

    assert [e.event_name for e in events[1:]] == [
        "assessment_attempted",
        "module_mastered",
        "assessment_attempted",
        "evidence_retracted",
        "module_mastered",
    ]
    attempted_again, remastered = events[3], events[5]
    assert remastered.data["attempt_id"] == attempted_again.data["attempt_id"]
    assert remastered.data["source_statement_id"] == second["id"]
    assert remastered.time == datetime.fromisoformat(second["timestamp"].replace("Z", "+00:00"))


async def test_the_partner_outcome_listing_refuses_crafted_cursors_and_hostile_ids(
    lms: Lms,
) -> None:
    for cursor in ("WyJ4Il0", "W251bGxd", "W3siYSI6MX1d", "not-base64!"):  # ["x"], [null], …
        answer = await lms.client.get(
            "/xapi-outcomes", params={"cursor": cursor}, headers=lms.headers()
        )
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    for hostile in ("p\u202e1", "p\u200b1", "\ufeffp-1"):
        answer = await lms.client.get(
            "/xapi-outcomes", params={"practitioner_id": hostile}, headers=lms.headers()
        )
        assert answer.status_code == 422, answer.text
        assert "practitioner_id" in answer.text


async def test_a_statement_for_a_learner_registered_later_becomes_evidence_on_registration(
    lms: Lms, nats_client: Client
) -> None:
    course = await map_m1_course(lms)
    sent = reported("p-9", "passed", course, result={"score": {"scaled": 0.85}}, timestamp=at(T0))
    [statement_id] = await lms.stored([sent])
    before = await outcome(lms, statement_id)
    assert (before["outcome"], before["reason"]) == ("pending", "learner")
    assert "roster" in str(before["detail"])

    async with runtime_of(lms.app).pool.acquire() as conn:  # what the roster copy asks first
        assert await any_pending_statement(conn, lms.agency_id)
        assert not await any_pending_statement(conn, f"{lms.agency_id}-other")

    await lms.roster.register("p-9", program_start=date(2025, 3, 1))

    # the mastery is long past: the lapses its unreviewed concepts imply follow it
    events = await received_events(nats_client, lms.events_subject, count=4)
    assert [e.event_name for e in events[:3]] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "module_mastered",
    ]
    assert {e.event_name for e in events[3:]} == {"concept_lapsed"}
    assert events[0].data["enrolled_on"] == "2025-03-01"  # the roster's program start
    assert events[0].actor == f"{lms.agency_id}/roster"
    assert events[1].data["source_statement_id"] == statement_id
    assert (await outcome(lms, statement_id))["outcome"] == "recorded"
    async with runtime_of(lms.app).pool.acquire() as conn:  # nothing waits any more
        assert not await any_pending_statement(conn, lms.agency_id)
