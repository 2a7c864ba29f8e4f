"""The clock's agenda: the next day time alone may change a status, and the what-if verdicts."""

from __future__ import annotations

from datetime import date

from services.certification.domain.comparison import compare_levels
from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy, Tenure
from services.certification.domain.schedule import next_change_on
from tests.certification.unit.certification_builders import GRANT_DAY, PractitionerHistory


def test_before_the_grant_the_next_change_is_tenure_being_reached(policy: Policy) -> None:
    evidence = PractitionerHistory().enrolled(date(2025, 1, 6)).build()
    state = evaluate(policy, evidence, date(2025, 3, 1))
    assert next_change_on(policy, evidence, state) == date(2025, 11, 2)


def test_once_certified_the_next_change_is_the_latest_observation_ageing_out(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()
    state = evaluate(policy, evidence, date(2026, 1, 10))
    # the observation on GRANT_DAY stops counting for "none in 270 days" on day 271
    assert next_change_on(policy, evidence, state) == date(2026, 8, 29)
    at_risk = evaluate(policy, evidence, date(2026, 8, 29))
    assert next_change_on(policy, evidence, at_risk) == date(2026, 11, 27)  # 90 days at risk


def test_after_the_last_possible_change_time_changes_nothing(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()
    lapsed = evaluate(policy, evidence, date(2027, 6, 1))
    assert lapsed.level("facilitator").status.value == "lapsed"
    assert next_change_on(policy, evidence, lapsed) is None


def test_what_if_tells_who_gains_keeps_and_loses_each_level(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()
    facilitator = policy.level("facilitator")
    longer = policy.model_copy(
        update={
            "version": 2,
            "levels": (
                facilitator.model_copy(
                    update={
                        "requires": tuple(
                            Tenure(min_days=400) if isinstance(r, Tenure) else r
                            for r in facilitator.requires
                        )
                    }
                ),
                policy.level("coach"),
            ),
        }
    )
    now = evaluate(policy, evidence, GRANT_DAY)
    assert compare_levels(now, evaluate(longer, evidence, GRANT_DAY)) == {
        "facilitator": "lose",
        "coach": "unaffected",
    }
    assert compare_levels(now, evaluate(policy, evidence, GRANT_DAY))["facilitator"] == "keep"
    assert compare_levels(evaluate(longer, evidence, GRANT_DAY), now)["facilitator"] == "gain"
