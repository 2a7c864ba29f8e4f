"""Maintenance after the grant: at risk, restored and lapsed, by evidence and by time alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import LapseRules, Policy
from services.certification.domain.state import RuleResult
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    requirement,
    story,
)

# With no observation after obs-2 (GRANT_DAY): 271 days later at risk, 90 days after that lapsed.
AT_RISK_BY_TIME = date(2026, 8, 29)
LAPSED_BY_TIME = date(2026, 11, 27)


def fired(rules: Sequence[RuleResult]) -> list[str]:
    return [rule.rule for rule in rules if rule.fired]


def test_goes_at_risk_when_the_mean_of_the_last_three_observations_drops_below_80(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=70)  # 86, 83, 70 → 79.67

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.AT_RISK
    assert state.level("facilitator").at_risk_since == date(2026, 2, 1)
    assert story(state) == [("granted", GRANT_DAY), ("at_risk", date(2026, 2, 1))]
    assert state.transitions[-1].reasons == (
        "mean of the last 3 team meeting observations is 79.67% (obs-1 on 2025-10-20 (86%), "
        "obs-2 on 2025-12-01 (83%), obs-3 on 2026-02-01 (70%)), below 80%",
    )


def test_one_weak_observation_is_not_drift_while_the_mean_holds(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=75)  # 86, 83, 75 → 81.33

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.CERTIFIED
    assert fired(state.level("facilitator").maintenance) == []


def test_goes_at_risk_when_a_domain_in_the_latest_observation_is_below_65(
    policy: Policy, history: PractitionerHistory
) -> None:
    domains = {"engagement": 95, "teamwork": 60, "planning": 95, "outcomes": 90}
    history.observed(date(2026, 2, 1), total=85, domains=domains)

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.AT_RISK
    assert fired(state.level("facilitator").maintenance) == ["latest_domain"]
    assert state.transitions[-1].reasons == (
        "latest team meeting observation obs-3 on 2026-02-01 (85%): domain teamwork 60% below 65%",
    )


def test_is_restored_when_an_at_risk_practitioner_meets_maintenance_again(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=70).observed(date(2026, 3, 1), total=90)

    state = evaluate(policy, history.build(), date(2026, 3, 15))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.CERTIFIED
    assert facilitator.at_risk_since is None
    assert story(state) == [
        ("granted", GRANT_DAY),
        ("at_risk", date(2026, 2, 1)),
        ("restored", date(2026, 3, 1)),
    ]
    assert state.transitions[-1].from_status is Status.AT_RISK


def test_goes_at_risk_when_no_qualifying_observation_for_270_days(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()

    day_before = evaluate(policy, evidence, date(2026, 8, 28))
    on_the_day = evaluate(policy, evidence, AT_RISK_BY_TIME)

    assert day_before.level("facilitator").status is Status.CERTIFIED
    assert on_the_day.level("facilitator").status is Status.AT_RISK
    assert on_the_day.transitions[-1].reasons == (
        "last qualifying team meeting observation obs-2 on 2025-12-01 (83%) is 271 days old "
        "(more than 270)",
    )


def test_lapses_after_90_days_at_risk_with_no_new_evidence(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()

    day_before = evaluate(policy, evidence, date(2026, 11, 26))
    on_the_day = evaluate(policy, evidence, LAPSED_BY_TIME)

    assert day_before.level("facilitator").status is Status.AT_RISK
    assert on_the_day.level("facilitator").status is Status.LAPSED
    assert story(on_the_day) == [
        ("granted", GRANT_DAY),
        ("at_risk", AT_RISK_BY_TIME),
        ("lapsed", LAPSED_BY_TIME),
    ]
    assert on_the_day.transitions[-1].reasons == (
        "at risk since 2026-08-29 (90 days; lapses at 90)",
    )


def test_lapses_when_no_qualifying_observation_for_a_year(
    policy: Policy, history: PractitionerHistory
) -> None:
    # In the default policy the 90-day at-risk clock always runs out first (271 + 90 < 366),
    # so this rule is seen with the clock switched off.
    facilitator = policy.levels[0]
    assert facilitator.maintenance is not None
    no_clock = policy.model_copy(
        update={
            "levels": (
                facilitator.model_copy(
                    update={
                        "maintenance": facilitator.maintenance.model_copy(
                            update={
                                "lapse": LapseRules(
                                    no_qualifying_for_days=365, at_risk_for_days=None
                                )
                            }
                        )
                    }
                ),
                *policy.levels[1:],
            )
        }
    )
    evidence = history.build()

    day_before = evaluate(no_clock, evidence, date(2026, 12, 1))
    a_year_on = evaluate(no_clock, evidence, date(2026, 12, 2))

    assert day_before.level("facilitator").status is Status.AT_RISK
    assert a_year_on.level("facilitator").status is Status.LAPSED
    assert a_year_on.transitions[-1].reasons == (
        "last qualifying team meeting observation obs-2 on 2025-12-01 (83%) is 366 days old "
        "(more than 365)",
    )


def test_drifting_for_90_days_lapses_even_with_recent_observations(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=70)
    history.observed(date(2026, 3, 3), total=75).observed(date(2026, 4, 2), total=75)

    state = evaluate(policy, history.build(), date(2026, 6, 1))

    assert story(state)[-1] == ("lapsed", date(2026, 5, 2))


def test_meeting_maintenance_on_the_last_day_of_the_clock_restores_instead_of_lapsing(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=70).observed(date(2026, 5, 2), total=95)

    state = evaluate(policy, history.build(), date(2026, 6, 1))

    assert story(state)[-1] == ("restored", date(2026, 5, 2))


def test_goes_at_risk_when_a_core_concept_lapses_and_is_restored_by_review(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.concept_lapsed("M4.C2", date(2026, 3, 1)).concept_restored("M4.C2", date(2026, 3, 20))

    state = evaluate(policy, history.build(), date(2026, 4, 1))

    assert story(state) == [
        ("granted", GRANT_DAY),
        ("at_risk", date(2026, 3, 1)),
        ("restored", date(2026, 3, 20)),
    ]
    assert state.transitions[1].reasons == ("1 core concept lapsed: M4.C2 since 2026-03-01",)


def test_a_grant_resting_on_drifting_observations_is_at_risk_from_day_one(
    policy: Policy, history: PractitionerHistory
) -> None:
    # The policy's words are applied as written: the last 3 include an early weak one.
    history.observed(date(2025, 9, 1), total=60)  # 60, 86, 83 → 76.33

    state = evaluate(policy, history.build(), GRANT_DAY)

    assert story(state) == [("granted", GRANT_DAY), ("at_risk", GRANT_DAY)]


def test_a_lapsed_practitioner_requalifies_only_with_observations_after_the_lapse(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.monthly_coaching(date(2026, 2, 15), months=12)
    history.observed(date(2026, 2, 1), total=70).observed(date(2026, 3, 3), total=75)
    history.observed(date(2026, 4, 15), total=82)  # qualifies, but the mean stays below 80
    history.observed(date(2026, 6, 1), total=85)  # after the lapse on 2026-05-02

    waiting = evaluate(policy, history.build(), date(2026, 7, 5))
    history.observed(date(2026, 7, 6), total=88)
    requalified = evaluate(policy, history.build(), date(2026, 7, 6))

    assert waiting.level("facilitator").status is Status.LAPSED
    assert requirement(waiting, "facilitator", "qualifying_observations").reason.startswith(
        "1 of 2 qualifying team meeting observations in the last 180 days after the lapse on "
        "2026-05-02: obs-6 on 2026-06-01 (85%)"
    )
    assert story(requalified) == [
        ("granted", GRANT_DAY),
        ("at_risk", date(2026, 2, 1)),
        ("lapsed", date(2026, 5, 2)),
        ("granted", date(2026, 7, 6)),
    ]
    assert requalified.transitions[-1].from_status is Status.LAPSED
    assert requalified.level("facilitator").certified_on == date(2026, 7, 6)
