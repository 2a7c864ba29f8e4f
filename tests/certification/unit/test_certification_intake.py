"""Upstream event payloads (docs/events.md) translated into evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.certification.domain.evidence import (
    CoachAssigned,
    CoachingSessionHeld,
    ConceptLapsed,
    ConceptRestored,
    ModuleMastered,
    ObservationRecorded,
    SkillRated,
)
from services.certification.domain.intake import (
    ContractViolation,
    Retraction,
    evidence_from_event,
    retraction_from_event,
)
from services.certification.domain.vocabulary import SkillLevel


def observation(**overrides: Any) -> dict[str, Any]:
    return {
        "observation_id": "obs-1",
        "practitioner_id": "pr-1",
        "observer_id": "observer-9",
        "instrument_key": "team-meeting-observation",
        "instrument_version": 3,
        "instrument_kind": "team_meeting",
        "meeting_date": "2025-10-20",
        "setting": "home",
        "total": 86.5,
        "band": "high",
        "domain_scores": {"engagement": 90.0, "planning": 70.0},
        "observer_calibrated": True,
        "co_observation_of": None,
    } | overrides


def test_an_observation_keeps_its_integer_instrument_version_and_scores() -> None:
    item = evidence_from_event("fidelity", "observation_recorded", "ev-1", observation())
    assert isinstance(item, ObservationRecorded)
    assert (item.event_id, item.practitioner_id, item.occurred_on) == (
        "ev-1",
        "pr-1",
        date(2025, 10, 20),
    )
    assert item.instrument_version == 3
    assert (item.total_percent, dict(item.domain_percents)) == (
        86.5,
        {"engagement": 90.0, "planning": 70.0},
    )


def test_a_co_observation_is_no_second_observation_of_the_meeting() -> None:
    data = observation(co_observation_of="obs-0")
    assert evidence_from_event("fidelity", "observation_recorded", "ev-2", data) is None


def test_learning_events_become_masteries_and_concept_states() -> None:
    mastered = evidence_from_event(
        "learning",
        "module_mastered",
        "ev-1",
        {
            "practitioner_id": "pr-1",
            "module_id": "M2",
            "module_order": 2,
            "mastered_at": "2025-03-03T23:30:00-05:00",
            "previous_module_mastered": True,
            "attempt_id": "a-1",
            "source_statement_id": None,
        },
    )
    assert isinstance(mastered, ModuleMastered)
    # the practice day in the practitioner's own offset, not UTC's
    assert (mastered.occurred_on, mastered.order_index) == (date(2025, 3, 3), 2)
    lapsed = evidence_from_event(
        "learning",
        "concept_lapsed",
        "ev-2",
        {
            "practitioner_id": "pr-1",
            "concept_id": "c-1",
            "module_id": "M1",
            "lapsed_on": "2025-06-01",
            "due_at": "2025-04-01T12:00:00Z",
        },
    )
    restored = evidence_from_event(
        "learning",
        "concept_restored",
        "ev-3",
        {
            "practitioner_id": "pr-1",
            "concept_id": "c-1",
            "module_id": "M1",
            "restored_on": "2025-06-09",
        },
    )
    assert isinstance(lapsed, ConceptLapsed) and lapsed.occurred_on == date(2025, 6, 1)
    assert isinstance(restored, ConceptRestored) and restored.concept_id == "c-1"


def test_coaching_events_become_sessions_ratings_and_assignments() -> None:
    session = evidence_from_event(
        "coaching",
        "coaching_session_held",
        "ev-1",
        {
            "session_id": "s-1",
            "coach_id": "coach-1",
            "practitioner_id": "pr-1",
            "held_on": "2025-02-15",
            "duration_minutes": 60,
            "modality": "live_coaching",
            "components": ["practice", "feedback", "co_facilitation"],
            "competencies": ["FAC"],
            "goal_ids": [],
        },
    )
    rating = evidence_from_event(
        "coaching",
        "skill_rated",
        "ev-2",
        {
            "rating_id": "r-1",
            "practitioner_id": "pr-1",
            "rater_id": "coach-1",
            "competency": "FAC",
            "level": "can_teach",
            "rated_on": "2025-10-15",
            "source_type": "session",
            "source_id": "s-1",
        },
    )
    assigned = evidence_from_event(
        "coaching",
        "coach_assigned",
        "ev-3",
        {
            "assignment_id": "as-1",
            "coach_id": "coach-2",
            "practitioner_id": "pr-1",
            "valid_from": "2025-05-01",
            "valid_to": None,
        },
    )
    assert isinstance(session, CoachingSessionHeld)
    assert session.components == frozenset({"practice", "feedback"})  # unknown ones ignored
    assert isinstance(rating, SkillRated) and rating.level is SkillLevel.CAN_TEACH
    assert isinstance(assigned, CoachAssigned) and assigned.occurred_on == date(2025, 5, 1)


def test_events_certification_does_not_need_are_no_evidence() -> None:
    assert evidence_from_event("learning", "assessment_attempted", "ev-1", {}) is None
    assert evidence_from_event("learning", "practitioner_enrolled", "ev-2", {}) is None
    assert evidence_from_event("fidelity", "observer_calibrated", "ev-3", {}) is None


def test_a_payload_breaking_the_contract_names_what_is_wrong() -> None:
    with pytest.raises(ContractViolation, match="total"):
        evidence_from_event("fidelity", "observation_recorded", "ev-1", observation(total=130))
    with pytest.raises(ContractViolation, match="occurred_on"):
        evidence_from_event(
            "fidelity", "observation_recorded", "ev-3", observation(meeting_date="0001-01-01")
        )
    with pytest.raises(ContractViolation, match="meeting_date"):
        evidence_from_event(
            "fidelity", "observation_recorded", "ev-2", observation(meeting_date="last week")
        )


def test_learning_withdrawing_a_lapse_it_no_longer_implies_retracts_those_events() -> None:
    withdrawn = {
        "practitioner_id": "pr-1",
        "retracted_event_ids": ["ev-lapsed", "ev-restored"],
        "reason": "M1.C1 lapse of 2025-06-01 is not what the review history implies",
        "concept_id": "M1.C1",
        "due_at": "2025-05-02T09:00:00Z",
        "module_id": None,
        "attempt_id": None,
    }

    retraction = retraction_from_event("learning", "evidence_withdrawn", withdrawn)

    assert retraction == Retraction("pr-1", ("ev-lapsed", "ev-restored"))
    assert evidence_from_event("learning", "evidence_withdrawn", "ev-9", withdrawn) is None


def test_a_mastery_without_the_old_previous_module_flag_is_still_evidence() -> None:
    mastered = evidence_from_event(
        "learning",
        "module_mastered",
        "ev-1",
        {"practitioner_id": "pr-1", "module_id": "M2", "module_order": 2,
         "mastered_at": "2025-11-01T15:00:00Z", "attempt_id": "a-2"},
    )  # fmt: skip

    assert isinstance(mastered, ModuleMastered)
    assert (mastered.module_id, mastered.occurred_on) == ("M2", date(2025, 11, 1))
