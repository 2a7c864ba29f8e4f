"""The team page's pure parts: heat map, coaching cadence, latest fidelity, open drift."""

from __future__ import annotations

from datetime import date

from services.portal.domain.team import heat_map, latest_fidelity, months_covered, open_drift
from services.portal.domain.viewer import Viewer
from services.portal.handlers.team import members_of
from shared.auth import Role

TODAY = date(2026, 6, 15)


def test_the_heat_map_is_concept_by_person_with_missing_for_the_unenrolled() -> None:
    report = {
        "concepts": [
            {"concept_id": "M1.C10", "status": "shaky"},
            {"concept_id": "M1.C2", "status": "strong"},
        ]
    }
    heat = heat_map({"p-2": report, "p-1": None})
    assert heat.people == ["p-1", "p-2"]
    assert heat.concepts == ["M1.C2", "M1.C10"]  # numbers compare as numbers
    assert heat.status("M1.C10", "p-2") == "shaky"
    assert heat.status("M1.C2", "p-1") == "missing"


def test_cadence_counts_distinct_months_of_the_last_twelve() -> None:
    held = [date(2026, 6, 1), date(2026, 6, 20), date(2025, 7, 3), date(2025, 6, 30)]
    assert months_covered(held, TODAY) == 2  # June 2026 once, July 2025; June 2025 is outside


def test_latest_fidelity_is_the_last_point_or_none() -> None:
    trend = {"points": [{"total": 70, "band": "borderline", "meeting_date": "2026-01-01"}] * 2}
    assert latest_fidelity(trend) == (70.0, "borderline", "2026-01-01")
    assert latest_fidelity({"points": []}) is None
    assert latest_fidelity(None) is None


def test_open_drift_is_the_last_ninety_days_latest_first() -> None:
    signals = [
        {"detected_on": "2026-01-01", "reason": "old"},
        {"detected_on": "2026-05-01", "reason": "a"},
        {"detected_on": "2026-06-01", "reason": "b"},
    ]
    assert [s["reason"] for s in open_drift(signals, TODAY)] == ["b", "a"]


def test_a_supervisor_leads_their_team_and_a_named_one_a_coach_their_caseload() -> None:
    roster = [
        {"practitioner_id": "p-1", "supervisor_id": "sup-a", "coach_id": "c-1", "team_id": None},
        {"practitioner_id": "p-2", "supervisor_id": "sup-b", "coach_id": "c-1", "team_id": "sup-a"},
        {"practitioner_id": "p-3", "supervisor_id": "sup-b", "coach_id": "c-2", "team_id": None},
    ]
    supervisor = Viewer("sup-a", "agency", frozenset({Role.SUPERVISOR}), "t", "A")
    coach = Viewer("c-1", "agency", frozenset({Role.COACH}), "t", "C")
    assert members_of(roster, supervisor) == ["p-1", "p-2"]
    assert members_of(roster, coach) == ["p-1", "p-2"]
