"""Mapped Statements become the learning service's own events on JetStream."""

from __future__ import annotations

import uuid

import asyncpg
from nats.aio.client import Client

from services.learning.xapi.cmi5 import LAUNCHED
from shared.testing.jetstream import received_events
from tests.learning.xapi.integration.lms_statements import (
    T0,
    completed,
    concept_card,
    failed,
    hours,
    lms_statement,
    module_course,
    passed,
    quiz,
)
from tests.learning.xapi.integration.lrs_client import Lms, path_of, without_lapses
from tests.learning.xapi.unit.builders import LMS


async def test_a_scored_statement_on_a_mapped_quiz_becomes_an_attempt_that_masters_the_module(
    lms: Lms, nats_client: Client
) -> None:
    await lms.declare_accounts(LMS)
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1")
    await lms.enroll("p-1")
    sent = passed("p-1", quiz("M1"), 0.86, at=T0)

    [statement_id] = await lms.stored([sent])

    events = without_lapses(await received_events(nats_client, lms.events_subject, count=3))
    names = [e.event_name for e in events]
    assert names == ["practitioner_enrolled", "assessment_attempted", "module_mastered"]
    attempted, mastered = events[1], events[2]
    assert attempted.data["source_statement_id"] == statement_id
    assert attempted.data["scaled_score"] == 0.86
    assert attempted.time == T0
    assert mastered.data["source_statement_id"] == statement_id
    assert mastered.actor == f"{lms.agency_id}/{lms.key}"


async def outcome(lms: Lms, statement_id: str) -> dict[str, object]:
    response = await lms.admin("GET", f"/xapi-mappings/statements/{statement_id}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_a_cmi5_au_counts_when_its_move_on_is_met_in_the_registration(
    lms: Lms, nats_client: Client
) -> None:
    await lms.declare_accounts(LMS)
    await lms.map_activity(
        module_course("M1"), kind="module", target_id="M1", move_on="CompletedAndPassed"
    )
    await lms.enroll("p-1")
    registration = str(uuid.uuid4())
    on_course = module_course("M1")

    first_try = failed("p-1", on_course, 0.6, at=T0, registration=registration)
    passing = passed("p-1", on_course, 0.92, at=T0 + hours(1), registration=registration)
    await lms.stored([first_try, passing])
    [completion] = await lms.stored(
        [completed("p-1", on_course, at=T0 + hours(2), registration=registration)]
    )
    await lms.stored([completed("p-1", on_course, at=T0 + hours(3), registration=registration)])

    events = without_lapses(await received_events(nats_client, lms.events_subject, count=4))
    assert [e.event_name for e in events] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "assessment_attempted",
        "module_mastered",
    ]
    failure, done, mastered = events[1:]
    assert (failure.data["scaled_score"], failure.data["passed"]) == (0.6, False)
    assert failure.data["source_statement_id"] == first_try["id"]
    assert (done.data["scaled_score"], done.data["passed"]) == (0.92, True)
    assert done.data["source_statement_id"] == completion
    assert mastered.data["source_statement_id"] == completion
    assert (await outcome(lms, passing["id"]))["outcome"] == "skipped"


async def test_a_review_statement_on_a_mapped_concept_becomes_concept_reviewed(
    lms: Lms, nats_client: Client
) -> None:
    await lms.declare_accounts(LMS)
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1.A")
    await lms.map_activity(concept_card("M1.C2"), kind="concept", target_id="M1.C2")
    await lms.enroll("p-1")
    await lms.stored([passed("p-1", quiz("M1"), 0.9, at=T0)])

    [review_id] = await lms.stored([passed("p-1", concept_card("M1.C2"), 0.95, at=T0 + hours(72))])

    events = without_lapses(await received_events(nats_client, lms.events_subject, count=4))
    reviewed = events[-1]
    assert reviewed.event_name == "concept_reviewed"
    assert reviewed.data["concept_id"] == "M1.C2"
    assert reviewed.data["rating"] == "easy"
    assert (await outcome(lms, review_id))["outcome"] == "recorded"


async def test_an_explicitly_mapped_mailbox_identifies_the_practitioner(
    lms: Lms, nats_client: Client
) -> None:
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1")
    await lms.enroll("p-7")
    mailbox = {"mbox": "mailto:ana.lopez@agency.example.org", "name": "Ana"}
    mapped = await lms.admin("PUT", "/xapi-mappings/actors/p-7", {"agents": [mailbox]})
    assert mapped.status_code == 200, mapped.text
    sent = passed("anyone", quiz("M1"), 0.81) | {
        "actor": {"mbox": "mailto:ana.lopez@AGENCY.example.org"}
    }

    await lms.stored([sent])

    events = await received_events(nats_client, lms.events_subject, count=3)
    assert {e.subject for e in events} == {"p-7"}
    assert events[1].data["source_statement_id"] == sent["id"]


async def test_an_identity_belongs_to_one_practitioner(lms: Lms) -> None:
    agent = {"account": {"homePage": LMS, "name": "u-1"}}
    assert (
        await lms.admin("PUT", "/xapi-mappings/actors/p-1", {"agents": [agent]})
    ).status_code == 200
    taken = await lms.admin("PUT", "/xapi-mappings/actors/p-2", {"agents": [agent]})
    assert taken.status_code == 409
    bad = await lms.admin("PUT", "/xapi-mappings/actors/p-2", {"agents": [{"mbox": "ana"}]})
    assert bad.status_code == 422


async def test_statements_that_cannot_be_evidence_are_stored_and_say_why(lms: Lms) -> None:
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1")
    await lms.declare_accounts(LMS)
    stranger = passed("p-x", quiz("M1")) | {"actor": {"mbox": "mailto:who@example.org"}}
    not_enrolled = passed("p-unknown", quiz("M1"))
    unmapped_activity = passed("p-unknown", "https://lms.example.org/elsewhere")

    ids = await lms.stored([stranger, not_enrolled, unmapped_activity])

    stranger_outcome = await outcome(lms, ids[0])
    assert (stranger_outcome["outcome"], stranger_outcome["reason"]) == ("pending", "learner")
    assert "mapped to a practitioner" in str(stranger_outcome["detail"])
    unenrolled = await outcome(lms, ids[1])
    assert (unenrolled["outcome"], unenrolled["reason"]) == ("pending", "learner")
    assert "on the agency's roster" in str(unenrolled["detail"])
    elsewhere = await outcome(lms, ids[2])
    assert (elsewhere["outcome"], elsewhere["reason"]) == ("pending", "mapping")
    assert len((await lms.get_statements()).json()["statements"]) == 3


async def test_a_statement_voided_in_its_own_batch_is_no_evidence(lms: Lms) -> None:
    await lms.declare_accounts(LMS)
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1")
    await lms.enroll("p-1")
    mistaken = passed("p-1", quiz("M1"))
    voiding = passed("p-1", quiz("M1")) | {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": mistaken["id"]},
        "context": {},
    }
    await lms.stored([mistaken, voiding])
    voided = await outcome(lms, mistaken["id"])
    assert (voided["outcome"], voided["reason"]) == ("skipped", "voided")
    assert voiding["id"] in str(voided["detail"])
    assert (await outcome(lms, voiding["id"]))["reason"] == "not-an-activity"


async def test_activity_mappings_are_checked_against_the_catalog(lms: Lms) -> None:
    unknown = await lms.admin(
        "PUT",
        f"/xapi-mappings/activities/{path_of(quiz('M1'))}",
        {"kind": "module", "target_id": "M9"},
    )
    assert unknown.status_code == 422
    assert "M9" in unknown.json()["detail"]
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1.A")
    listed = await lms.admin("GET", "/xapi-mappings/activities")
    assert listed.json() == [
        {"activity_id": quiz("M1"), "kind": "assessment", "target_id": "M1", "move_on": None}
    ]
    one = await lms.admin("GET", f"/xapi-mappings/activities/{path_of(quiz('M1'))}")
    assert one.status_code == 200
    assert (
        await lms.admin("DELETE", f"/xapi-mappings/activities/{path_of(quiz('M1'))}")
    ).status_code == 204
    assert (
        await lms.admin("GET", f"/xapi-mappings/activities/{path_of(quiz('M1'))}")
    ).status_code == 404


async def test_a_batch_of_500_statements_is_one_transaction_and_becomes_events(
    lms: Lms, nats_client: Client
) -> None:
    await lms.declare_accounts(LMS)
    for module in ("M1", "M2", "M3", "M4", "M5", "M6"):
        await lms.map_activity(quiz(module), kind="assessment", target_id=module)
    practitioners = [f"p-{n:02d}" for n in range(50)]
    await lms.enroll(*practitioners)
    history = [("M1", 0.55), ("M1", 0.9), ("M2", 0.85), ("M3", 0.8)]
    history += [("M4", 0.7), ("M4", 0.95), ("M5", 0.88), ("M6", 0.91)]
    batch = []
    for p in practitioners:
        for day, (module, score) in enumerate(history, start=1):
            batch.append(passed(p, quiz(module), score, at=T0 + hours(24 * day)))
        batch.append(lms_launch(p, quiz("M1")))
        batch.append(lms_launch(p, module_course("M1")))
    assert len(batch) == 500

    ids = await lms.stored(batch)

    assert ids == [s["id"] for s in batch]
    root = f"{lms.settings.subject_root}.learning.{lms.agency_id}"
    attempted = await received_events(
        nats_client, f"{root}.assessment_attempted.>", count=400, timeout=60
    )
    mastered = await received_events(
        nats_client, f"{root}.module_mastered.>", count=300, timeout=60
    )
    assert len(attempted) == 400 and len(mastered) == 300
    assert {e.data["source_statement_id"] for e in attempted} <= set(ids)
    assert {(e.subject, e.data["module_id"]) for e in mastered} == {
        (p, m) for p in practitioners for m in ("M1", "M2", "M3", "M4", "M5", "M6")
    }
    assert await transactions_that_wrote(lms, "assessment_attempted") == 1


def lms_launch(practitioner: str, activity_id: str) -> dict[str, object]:
    return lms_statement(practitioner, activity_id, LAUNCHED, scaled=None)


async def transactions_that_wrote(lms: Lms, event_name: str) -> int:
    conn = await asyncpg.connect(lms.settings.database_dsn)
    try:
        count: int = await conn.fetchval(
            f'SELECT count(DISTINCT tx_id) FROM "{lms.settings.db_schema}".events'
            " WHERE agency_id = $1 AND name = $2",
            lms.agency_id,
            event_name,
        )
    finally:
        await conn.close()
    return count
