"""Enrollment → attempts → mastery, published on JetStream as CloudEvents."""

from __future__ import annotations

from shared.testing.jetstream import received_events
from tests.learning.api_builders import DAY, ENROLLED_ON, T0
from tests.learning.learning_client import LearningApi


async def test_mastering_attempt_publishes_module_mastered_as_a_cloudevent(
    learning: LearningApi, nats_client
) -> None:
    learning.set_clock(T0 + 2 * DAY)  # before the concepts could lapse
    await learning.enroll("p-1")
    failed = await learning.attempt("p-1", "M1", 0.55, T0)
    mastering = await learning.attempt("p-1", "M1", 0.86, T0 + DAY)

    events = await received_events(nats_client, learning.events_subject, count=4)

    assert [e.event_name for e in events] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "assessment_attempted",
        "module_mastered",
    ]
    enrolled, first, second, mastered = events
    assert enrolled.data == {
        "practitioner_id": "p-1",
        "enrolled_on": ENROLLED_ON.isoformat(),
        "catalog_version": "2026.1",
    }
    assert (first.data["attempt_id"], first.data["passed"]) == (failed["id"], False)
    assert (second.data["attempt_id"], second.data["passed"]) == (mastering["id"], True)
    assert second.data["scaled_score"] == 0.86 and second.data["assessment_id"] == "M1.A"
    assert mastered.type == "org.miiwrap.learning.module_mastered.v1"
    assert mastered.source == "/miiwrap/learning"
    assert mastered.subject == "p-1"
    assert mastered.agencyid == learning.agency_id
    assert mastered.actor == f"{learning.agency_id}/admin-1"
    assert mastered.time == T0 + DAY
    assert mastered.data == {
        "practitioner_id": "p-1",
        "module_id": "M1",
        "module_order": 1,
        "mastered_at": (T0 + DAY).isoformat().replace("+00:00", "Z"),
        "previous_module_mastered": True,
        "attempt_id": mastering["id"],
        "source_statement_id": None,
    }


async def test_module_mastered_flag_says_what_was_known_when_it_was_recorded(
    learning: LearningApi, nats_client
) -> None:
    learning.set_clock(T0 + 3 * DAY)
    await learning.enroll("p-1")
    m2 = await learning.attempt("p-1", "M2", 0.9, T0)
    await learning.attempt("p-1", "M1", 0.9, T0 + DAY)
    m3 = await learning.attempt("p-1", "M3", 0.8, T0 + 2 * DAY)  # exactly the bar masters

    events = await received_events(nats_client, learning.events_subject, count=7)

    mastered = {e.data["module_id"]: e.data for e in events if e.event_name == "module_mastered"}
    assert {m: d["previous_module_mastered"] for m, d in mastered.items()} == {
        "M2": False,
        "M1": True,
        "M3": True,
    }
    assert (m2["previous_module_mastered"], m3["previous_module_mastered"]) == (False, True)


async def test_a_second_passing_attempt_does_not_master_the_module_again(
    learning: LearningApi,
) -> None:
    await learning.enroll("p-1")
    await learning.attempt("p-1", "M1", 0.9, T0)
    again = await learning.attempt("p-1", "M1", 0.95, T0 + DAY)

    assert (again["passed"], again["mastered_module"]) == (True, False)
    assert await learning.stored_events("module_mastered") == 1
    progress = (await learning.get("/practitioners/p-1/progress")).json()
    m1 = progress["modules"][0]
    assert (m1["status"], m1["attempts"], m1["best_score"]) == ("mastered", 2, 0.95)
    assert m1["mastered_at"] == T0.isoformat().replace("+00:00", "Z")


async def test_an_earlier_module_sent_later_puts_the_later_one_in_order_in_the_progress(
    learning: LearningApi,
) -> None:
    learning.set_clock(T0 + 3 * DAY)
    await learning.enroll("p-1")
    await learning.attempt("p-1", "M2", 0.9, T0 + DAY)
    await learning.attempt("p-1", "M1", 0.9, T0)  # imported late, earlier in practice

    progress = (await learning.get("/practitioners/p-1/progress")).json()

    by_module = {m["module_id"]: m for m in progress["modules"]}
    assert by_module["M2"]["previous_module_mastered"] is True


async def test_an_earlier_passing_attempt_sent_later_moves_the_mastery_and_withdraws_the_old_one(
    learning: LearningApi, nats_client
) -> None:
    learning.set_clock(T0 + 12 * DAY)
    await learning.enroll("p-1")
    await learning.attempt("p-1", "M1", 0.95, T0 + 9 * DAY)
    earlier = await learning.attempt("p-1", "M1", 0.85, T0 + DAY)

    events = await received_events(nats_client, learning.events_subject, count=6)

    names = [e.event_name for e in events]
    assert names == [
        "practitioner_enrolled",
        "assessment_attempted",
        "module_mastered",
        "assessment_attempted",
        "module_mastered",
        "evidence_withdrawn",
    ]
    first_mastery, withdrawn = events[2], events[5]
    assert withdrawn.data["retracted_event_ids"] == [first_mastery.id]
    assert events[4].data["attempt_id"] == earlier["id"] and earlier["mastered_module"] is True
    progress = (await learning.get("/practitioners/p-1/progress")).json()
    assert progress["modules"][0]["mastered_at"] == (T0 + DAY).isoformat().replace("+00:00", "Z")
