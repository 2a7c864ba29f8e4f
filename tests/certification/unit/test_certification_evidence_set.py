"""Evidence as a set keyed by event id: arrival order, redelivery and as-of dates do not matter."""

from __future__ import annotations

import random
from datetime import date

import pytest
from pydantic import ValidationError

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import (
    EVIDENCE_ADAPTER,
    ConflictingEvidenceError,
    EvidenceSet,
    ObservationRecorded,
)
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import PractitionerHistory

AS_OF_DATES = (date(2025, 11, 30), date(2026, 2, 1), date(2026, 6, 1), date(2027, 1, 1))


def eventful(history: PractitionerHistory) -> PractitionerHistory:
    """The certified history plus drift, restoration, a concept lapse and a revocation."""
    history.observed(date(2026, 2, 1), total=70).observed(date(2026, 3, 1), total=90)
    history.concept_lapsed("M1.C2", date(2026, 4, 1)).concept_restored("M1.C2", date(2026, 4, 9))
    history.observed(date(2026, 5, 1), total=84, kind="coaching")
    history.observed(date(2026, 6, 10), total=86, kind="coaching")
    return history.revoked(date(2026, 7, 1), level="coach").reinstated(date(2026, 7, 20))


def test_shuffled_evidence_gives_the_identical_state(
    policy: Policy, history: PractitionerHistory
) -> None:
    items = eventful(history).items
    expected = [evaluate(policy, EvidenceSet("pr-1", items), day) for day in AS_OF_DATES]
    rng = random.Random(7)

    for _ in range(5):
        shuffled = rng.sample(items, len(items))
        assert [evaluate(policy, EvidenceSet("pr-1", shuffled), d) for d in AS_OF_DATES] == expected
    assert expected[-1].transitions  # a rich story, not an empty one compared to itself


def test_redelivered_events_change_nothing(policy: Policy, history: PractitionerHistory) -> None:
    items = eventful(history).items
    once = EvidenceSet("pr-1", items)

    twice = EvidenceSet("pr-1", [*items, *reversed(items)])

    assert twice == once
    assert len(twice) == len(items)
    assert once.with_items(items[0], items[-1]) == once
    assert evaluate(policy, twice, date(2027, 1, 1)) == evaluate(policy, once, date(2027, 1, 1))


def test_two_contents_under_one_event_id_are_refused(history: PractitionerHistory) -> None:
    original = history.items[-1]
    assert isinstance(original, ObservationRecorded)
    altered = original.model_copy(update={"total_percent": 40.0})

    with pytest.raises(ConflictingEvidenceError, match=original.event_id):
        EvidenceSet("pr-1", [original, altered])
    with pytest.raises(ConflictingEvidenceError):
        EvidenceSet("pr-1", [altered, original])


def test_evidence_about_another_practitioner_is_refused(history: PractitionerHistory) -> None:
    someone_else = PractitionerHistory("pr-2").enrolled().items[0]

    with pytest.raises(ConflictingEvidenceError, match="pr-2"):
        history.build().with_items(someone_else)


def test_iteration_is_chronological_whatever_the_arrival_order(
    history: PractitionerHistory,
) -> None:
    items = history.items

    evidence = EvidenceSet("pr-1", reversed(items))

    dates = [evidence[event_id].occurred_on for event_id in evidence]
    assert dates == sorted(dates)
    assert set(evidence) == {item.event_id for item in items}


def test_as_of_a_past_date_ignores_later_evidence(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = eventful(history).build()
    as_of = date(2026, 1, 20)

    state = evaluate(policy, evidence, as_of)

    assert state == evaluate(policy, evidence.up_to(as_of), as_of)
    assert state.level("facilitator").status is Status.CERTIFIED  # the drift of February unseen
    cited = {i for level in state.levels for r in level.requirements for i in r.evidence_ids}
    assert all(evidence[i].occurred_on <= as_of for i in cited)


def test_evidence_parses_from_json_by_its_kind(history: PractitionerHistory) -> None:
    for item in eventful(history).items:
        assert EVIDENCE_ADAPTER.validate_json(item.model_dump_json()) == item

    with pytest.raises(ValidationError):
        EVIDENCE_ADAPTER.validate_python(
            {
                "kind": "hours_attended",
                "event_id": "e",
                "practitioner_id": "p",
                "occurred_on": "2026-01-01",
            }
        )
