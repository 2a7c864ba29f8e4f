"""The roster's lifecycle in the fold: time away pauses evaluation; changes move the rules."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.schedule import next_change_on
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    INDEPENDENT_OBSERVER,
    PractitionerHistory,
    observation_named,
    requirement,
    story,
)

AT_RISK_BY_TIME = date(2026, 8, 29)  # 270 days without a qualifying observation after obs-2
LAPSE_BY_TIME = date(2026, 11, 27)  # 90 days at risk


def test_while_away_the_clock_moves_nothing_and_no_transition_is_dated_inside(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.left(date(2026, 6, 1)).build()

    state = evaluate(policy, evidence, date(2027, 6, 1))

    assert state.level("facilitator").status is Status.CERTIFIED
    assert story(state) == [("granted", GRANT_DAY)]
    assert next_change_on(policy, evidence, state) is None


def test_without_leaving_the_same_history_goes_at_risk_then_lapses(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2027, 6, 1))

    assert story(state) == [
        ("granted", GRANT_DAY),
        ("at_risk", AT_RISK_BY_TIME),
        ("lapsed", LAPSE_BY_TIME),
    ]


def test_on_return_every_rule_is_judged_that_day_with_the_time_away_counted(
    policy: Policy, history: PractitionerHistory
) -> None:
    returned_on = date(2027, 1, 15)
    evidence = history.left(date(2026, 6, 1)).returned(returned_on).build()

    state = evaluate(policy, evidence, date(2027, 2, 1))

    assert story(state) == [("granted", GRANT_DAY), ("lapsed", returned_on)]


def test_a_short_leave_changes_nothing_the_rules_would_not_have_changed(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.left(date(2026, 2, 1)).returned(date(2026, 3, 1)).build()

    state = evaluate(policy, evidence, date(2026, 8, 1))

    assert story(state) == [("granted", GRANT_DAY)]
    assert next_change_on(policy, evidence, state) == AT_RISK_BY_TIME


def test_evidence_dated_while_away_does_not_count_and_evidence_after_the_return_does(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2"))
    history.left(date(2025, 11, 15)).returned(date(2025, 12, 15))
    history.observed(GRANT_DAY, total=83, observer=INDEPENDENT_OBSERVER)
    away_only = history.build()

    assert evaluate(policy, away_only, date(2025, 12, 31)).level("facilitator").status is (
        Status.IN_PROGRESS
    )
    after_return = history.observed(date(2025, 12, 20), total=83).build()
    assert story(evaluate(policy, after_return, date(2025, 12, 31))) == [
        ("granted", date(2025, 12, 20))
    ]


def test_a_coach_change_on_the_roster_decides_who_observes_independently(
    policy: Policy, history: PractitionerHistory
) -> None:
    # from November the independent observer of the grant-day observation is the coach
    history.roster_changed(date(2025, 11, 1), "coach_id", coach_id=INDEPENDENT_OBSERVER)

    state = evaluate(policy, history.build(), date(2026, 1, 10))

    assert state.level("facilitator").status is Status.IN_PROGRESS
    observations = requirement(state, "facilitator", "qualifying_observations")
    assert not observations.met
    assert "only by the practitioner's coach" in observations.reason


def test_a_coach_cleared_on_the_roster_makes_every_observer_independent(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2"))
    history.roster_changed(date(2025, 11, 1), "coach_id", coach_id=None)
    history.observed(GRANT_DAY, total=83, observer="coach-1")

    assert story(evaluate(policy, history.build(), date(2026, 1, 10))) == [("granted", GRANT_DAY)]


def test_a_program_start_change_counts_tenure_from_the_new_start(
    policy: Policy, history: PractitionerHistory
) -> None:
    new_start = date(2025, 3, 1)
    history.roster_changed(new_start, "program_start", program_start=new_start)

    state = evaluate(policy, history.build(), date(2026, 1, 10))

    assert story(state) == [("granted", date(2025, 12, 26))]  # 300 days after 2025-03-01
    tenure = requirement(state, "facilitator", "tenure")
    assert "program start on 2025-03-01" in tenure.reason


def test_a_role_or_supervisor_change_alone_moves_no_level(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.roster_changed(date(2025, 6, 1), "role", role="coach")

    assert story(evaluate(policy, history.build(), date(2026, 1, 10))) == [("granted", GRANT_DAY)]
