"""Calibration decided on the meeting date from the agency's calibrations (pure part)."""

from __future__ import annotations

from datetime import date

import pytest

from services.certification.domain.calibrations import Calibration, decide_calibrations
from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import EvidenceSet, ObservationRecorded
from services.certification.domain.intake import ContractViolation, calibration_from_event
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    COACH,
    GRANT_DAY,
    INDEPENDENT_OBSERVER,
    PRACTITIONER,
    PractitionerHistory,
)

TEAM_MEETING = "team-meeting-observation"
COACHING_TOOL = "coaching-observation"


def calibration(
    observer: str, key: str, valid_from: date, valid_until: date, attempt: str = "cal-1"
) -> Calibration:
    return Calibration(attempt, observer, key, valid_from, valid_until)


def uncalibrated_history() -> PractitionerHistory:
    """The certified facilitator's history with both observers not calibrated at write time."""
    history = PractitionerHistory.certified_facilitator()
    history.items = [
        item.model_copy(update={"observer_calibrated": False})
        if isinstance(item, ObservationRecorded)
        else item
        for item in history.items
    ]
    return history


def calibrated_flags(items: EvidenceSet | list[object]) -> dict[str, bool]:
    values = items.values() if isinstance(items, EvidenceSet) else items
    return {
        item.observation_id: item.observer_calibrated
        for item in values
        if isinstance(item, ObservationRecorded)
    }


def test_an_observation_counts_as_calibrated_when_a_calibration_covers_its_meeting_date() -> None:
    history = uncalibrated_history()
    calibrations = [
        calibration(COACH, TEAM_MEETING, date(2025, 1, 1), date(2026, 1, 1), "a"),
        calibration(INDEPENDENT_OBSERVER, TEAM_MEETING, date(2025, 6, 1), date(2026, 6, 1), "b"),
    ]

    decided = decide_calibrations(history.items, calibrations)

    assert calibrated_flags(list(decided)) == {"obs-1": True, "obs-2": True}


def test_a_calibration_is_valid_from_its_attempt_day_and_not_on_its_expiry_day() -> None:
    meeting = date(2025, 10, 20)  # obs-1's meeting
    history = uncalibrated_history()
    starts_on_meeting = [calibration(COACH, TEAM_MEETING, meeting, date(2026, 10, 20))]
    expires_on_meeting = [calibration(COACH, TEAM_MEETING, date(2024, 10, 20), meeting)]
    starts_after = [calibration(COACH, TEAM_MEETING, date(2025, 10, 21), date(2026, 10, 21))]

    assert calibrated_flags(list(decide_calibrations(history.items, starts_on_meeting)))["obs-1"]
    assert not calibrated_flags(list(decide_calibrations(history.items, expires_on_meeting)))[
        "obs-1"
    ]
    assert not calibrated_flags(list(decide_calibrations(history.items, starts_after)))["obs-1"]


def test_a_team_meeting_calibration_does_not_calibrate_coaching_tool_observations() -> None:
    history = PractitionerHistory(PRACTITIONER).observed(
        date(2025, 10, 20), kind="coaching", calibrated=False
    )
    team_meeting_only = [
        calibration(INDEPENDENT_OBSERVER, TEAM_MEETING, date(2025, 1, 1), date(2026, 1, 1))
    ]
    coaching_tool = [
        calibration(INDEPENDENT_OBSERVER, COACHING_TOOL, date(2025, 1, 1), date(2026, 1, 1))
    ]

    assert calibrated_flags(list(decide_calibrations(history.items, team_meeting_only))) == {
        "obs-1": False
    }
    assert calibrated_flags(list(decide_calibrations(history.items, coaching_tool))) == {
        "obs-1": True
    }


def test_another_observers_calibration_calibrates_nobody_else() -> None:
    history = uncalibrated_history()
    decided = decide_calibrations(
        history.items, [calibration("observer-7", TEAM_MEETING, date(2025, 1, 1), date(2026, 6, 1))]
    )
    assert calibrated_flags(list(decided)) == {"obs-1": False, "obs-2": False}


def test_a_late_calibration_turns_the_uncalibrated_history_into_a_grant(policy: Policy) -> None:
    history = uncalibrated_history()
    calibrations = [
        calibration(COACH, TEAM_MEETING, date(2025, 1, 1), date(2026, 1, 1), "a"),
        calibration(INDEPENDENT_OBSERVER, TEAM_MEETING, date(2025, 6, 1), date(2026, 6, 1), "b"),
    ]
    today = date(2026, 1, 10)

    without = evaluate(policy, history.build(), today)
    with_them = evaluate(
        policy, EvidenceSet(PRACTITIONER, decide_calibrations(history.items, calibrations)), today
    )

    assert without.level("facilitator").status != Status.CERTIFIED
    assert with_them.level("facilitator").status == Status.CERTIFIED
    assert next(t.on for t in with_them.level("facilitator").transitions) == GRANT_DAY


def test_reads_a_passed_calibration_from_fidelitys_event() -> None:
    found = calibration_from_event(
        "fidelity",
        "observer_calibrated",
        {
            "attempt_id": "cal-9",
            "observer_id": "observer-9",
            "reference_id": "ref-1",
            "instrument_key": TEAM_MEETING,
            "instrument_version": 2,
            "attempted_on": "2025-03-10",
            "expires_on": "2026-03-10",
            "kappa": 0.8,
        },
    )
    assert found == calibration(
        "observer-9", TEAM_MEETING, date(2025, 3, 10), date(2026, 3, 10), "cal-9"
    )
    assert calibration_from_event("fidelity", "observer_calibration_failed", {}) is None


def test_refuses_a_calibration_event_without_an_observer() -> None:
    with pytest.raises(ContractViolation, match="observer_id"):
        calibration_from_event(
            "fidelity",
            "observer_calibrated",
            {
                "attempt_id": "cal-9",
                "instrument_key": TEAM_MEETING,
                "attempted_on": "2025-03-10",
                "expires_on": "2026-03-10",
            },
        )


def test_an_observation_decided_calibrated_again_is_the_same_item_as_before() -> None:
    items = uncalibrated_history().items
    covering = [calibration(INDEPENDENT_OBSERVER, TEAM_MEETING, date(2025, 1, 1), date(2027, 1, 1))]
    first, again = decide_calibrations(items, covering), decide_calibrations(items, covering)
    decided = [item for item in first if item not in items]
    assert decided and all(
        isinstance(i, ObservationRecorded) and i.observer_calibrated for i in decided
    )
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert decide_calibrations(items, []) == items  # no calibration: nothing decided
