"""Every learning event leaves with exactly the payload docs/events.md promises."""

from __future__ import annotations

from shared.testing.jetstream import received_events
from tests.learning.api_builders import DAY, T0
from tests.learning.learning_client import LearningApi

# docs/events.md, "learning": certification's consumers read these fields.
CONTRACT = {
    "practitioner_enrolled": {"practitioner_id", "enrolled_on", "catalog_version"},
    "assessment_attempted": {
        "attempt_id", "practitioner_id", "module_id", "module_order", "assessment_id",
        "scaled_score", "passed", "attempted_at", "source_statement_id",
    },
    "module_mastered": {
        "practitioner_id", "module_id", "module_order", "mastered_at",
        "previous_module_mastered", "attempt_id", "source_statement_id",
    },
    "concept_reviewed": {
        "practitioner_id", "concept_id", "module_id", "rating", "reviewed_at", "next_due_at",
    },
    "concept_lapsed": {"practitioner_id", "concept_id", "module_id", "lapsed_on", "due_at"},
    "concept_restored": {"practitioner_id", "concept_id", "module_id", "restored_on"},
    "evidence_withdrawn": {
        "practitioner_id", "retracted_event_ids", "reason", "concept_id", "due_at", "module_id",
        "attempt_id",
    },
}  # fmt: skip
VERSIONS = {"concept_reviewed": 2}


async def test_each_learning_event_carries_exactly_its_contract_fields(
    learning: LearningApi, nats_client
) -> None:
    learning.set_clock(T0 + DAY)
    await learning.master("p-1", ("M1",))
    [lapses_at] = {r["lapses_at"] for r in await _cards(learning)}
    five = len(await learning.check_lapses(T0 + 40 * DAY))
    learning.set_clock(T0 + 42 * DAY)
    await learning.review("p-1", "M1.C1", "good", T0 + 41 * DAY)
    # imported late: a review in time, so M1.C1's lapse (and its restoration) is withdrawn
    await learning.review("p-1", "M1.C1", "good", T0 + 2 * DAY)

    events = await received_events(nats_client, learning.events_subject, count=3 + five + 4)

    assert {e.event_name for e in events} == set(CONTRACT)
    for event in events:
        assert set(event.data) == CONTRACT[event.event_name], event.event_name
        version = VERSIONS.get(event.event_name, 1)
        assert event.type == f"org.miiwrap.learning.{event.event_name}.v{version}"
        assert event.subject == "p-1"
    [lapse] = [
        e for e in events if e.event_name == "concept_lapsed" and e.data["concept_id"] == "M1.C1"
    ]
    assert lapse.time.isoformat() == lapses_at.replace("Z", "+00:00")
    assert lapse.data["lapsed_on"] == lapse.time.date().isoformat()
    [restored] = [e for e in events if e.event_name == "concept_restored"]
    [withdrawn] = [e for e in events if e.event_name == "evidence_withdrawn"]
    assert withdrawn.data["retracted_event_ids"] == [lapse.id, restored.id]


async def _cards(learning: LearningApi) -> list[dict[str, object]]:
    response = await learning.get(
        "/practitioners/p-1/due-reviews", as_of=T0 + DAY, include_strong="true"
    )
    items: list[dict[str, object]] = response.json()["items"]
    return items
