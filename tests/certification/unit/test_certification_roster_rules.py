"""What the roster takes: changes that change something, in date order, leaving and return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.certification.domain.roster import (
    RosterDetails,
    RosterRefused,
    RosterStanding,
    check_leaving,
    check_return,
    plan_change,
)

REGISTERED = RosterStanding(
    practitioner_id="pr-1",
    details=RosterDetails(
        role="facilitator",
        program_start=date(2025, 1, 6),
        coach_id="coach-1",
        supervisor_id="sup-1",
        team_id=None,
    ),
    left_on=None,
    latest_on=date(2025, 3, 1),
)
AWAY = replace(REGISTERED, left_on=date(2025, 5, 1), latest_on=date(2025, 5, 1))


def test_a_change_carries_the_full_details_and_names_the_fields_it_moves() -> None:
    details, changed = plan_change(
        REGISTERED,
        date(2025, 6, 2),
        {"supervisor_id": "sup-2", "coach_id": None, "role": "facilitator"},
    )

    assert changed == ("coach_id", "supervisor_id")
    assert details == replace(REGISTERED.details, supervisor_id="sup-2", coach_id=None)


def test_a_change_that_changes_nothing_is_refused_as_unprocessable() -> None:
    with pytest.raises(RosterRefused) as refused:
        plan_change(REGISTERED, date(2025, 6, 2), {"supervisor_id": "sup-1"})
    assert not refused.value.conflict
    assert "leaves practitioner pr-1's details as they are" in refused.value.detail


def test_a_change_dated_before_the_program_start_it_leaves_is_refused() -> None:
    with pytest.raises(RosterRefused) as refused:
        plan_change(REGISTERED, date(2025, 3, 1), {"program_start": date(2025, 4, 1)})
    assert "before the program start 2025-04-01" in refused.value.detail
    assert not refused.value.conflict


def test_a_change_dated_before_the_latest_roster_fact_is_refused() -> None:
    with pytest.raises(RosterRefused) as refused:
        plan_change(REGISTERED, date(2025, 2, 1), {"team_id": "east"})
    assert "changes are recorded in date order" in refused.value.detail


def test_details_cannot_change_while_the_practitioner_is_away() -> None:
    with pytest.raises(RosterRefused) as refused:
        plan_change(AWAY, date(2025, 6, 1), {"team_id": "east"})
    assert refused.value.conflict
    assert "left on 2025-05-01" in refused.value.detail


def test_leaving_twice_is_a_conflict_and_leaving_before_the_latest_fact_is_refused() -> None:
    with pytest.raises(RosterRefused) as twice:
        check_leaving(AWAY, date(2025, 6, 1))
    assert twice.value.conflict
    with pytest.raises(RosterRefused) as early:
        check_leaving(REGISTERED, date(2025, 2, 28))
    assert not early.value.conflict
    check_leaving(REGISTERED, date(2025, 3, 1))  # the same day as the latest fact is fine


def test_a_return_needs_a_leaving_before_it() -> None:
    with pytest.raises(RosterRefused) as not_left:
        check_return(REGISTERED, date(2025, 6, 1))
    assert not_left.value.conflict
    with pytest.raises(RosterRefused) as same_day:
        check_return(AWAY, date(2025, 5, 1))
    assert "must be after the leaving day 2025-05-01" in same_day.value.detail
    check_return(AWAY, date(2025, 5, 2))
