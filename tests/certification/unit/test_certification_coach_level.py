"""The Coach level: built on a certified Facilitator plus coaching-tool observations."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    requirement,
    story,
)

COACH_GRANT_DAY = date(2026, 2, 20)


def coach_history(history: PractitionerHistory) -> PractitionerHistory:
    return history.observed(date(2026, 1, 10), total=85, kind="coaching").observed(
        COACH_GRANT_DAY, total=88, kind="coaching"
    )


def test_grants_coach_when_facilitator_is_certified_and_two_coaching_observations_reach_80(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, coach_history(history).build(), date(2026, 3, 1))

    coach = state.level("coach")
    assert coach.status is Status.CERTIFIED
    assert story(state, "coach") == [("granted", COACH_GRANT_DAY)]
    assert [r.requirement for r in coach.requirements] == [
        "requires_level",
        "qualifying_observations",
    ]
    assert requirement(state, "coach", "qualifying_observations").reason == (
        "2 of 2 qualifying coaching observations in the last 365 days: "
        "obs-3 on 2026-01-10 (85%), obs-4 on 2026-02-20 (88%); 41 days apart"
    )


def test_the_coach_level_waits_for_the_facilitator_level(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2025, 9, 1), total=90, kind="coaching")
    history.observed(date(2025, 10, 1), total=90, kind="coaching")

    before = evaluate(policy, history.build(), date(2025, 11, 30))
    after = evaluate(policy, history.build(), GRANT_DAY)

    assert before.level("coach").status is Status.IN_PROGRESS
    assert not requirement(before, "coach", "requires_level").met
    assert story(after, "coach") == [("granted", GRANT_DAY)]


def test_two_coaching_observations_on_one_day_count_as_one_occasion(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 1, 10), total=90, kind="coaching")
    history.observed(date(2026, 1, 10), total=85, kind="coaching", observer="observer-7")

    state = evaluate(policy, history.build(), date(2026, 3, 1))

    assert state.level("coach").status is Status.IN_PROGRESS


def test_the_coach_level_goes_at_risk_and_lapses_with_the_facilitator_level(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, coach_history(history).build(), date(2026, 12, 1))

    assert story(state, "coach") == [
        ("granted", COACH_GRANT_DAY),
        ("at_risk", date(2026, 8, 29)),
        ("lapsed", date(2026, 11, 27)),
    ]
    at_risk = state.level("coach").transitions[1]
    assert at_risk.reasons == ("MiiWrap Facilitator — Certified (facilitator) is at risk",)


def test_revoking_the_facilitator_level_suspends_the_coach_level_until_reinstated(
    policy: Policy, history: PractitionerHistory
) -> None:
    coach_history(history).revoked(date(2026, 3, 1), level="facilitator")
    history.reinstated(date(2026, 4, 1), level="facilitator")

    suspended = evaluate(policy, history.build(), date(2026, 3, 15))
    reinstated = evaluate(policy, history.build(), date(2026, 4, 1))

    assert suspended.level("coach").status is Status.REVOKED
    assert suspended.level("coach").transitions[-1].reasons == (
        "MiiWrap Facilitator — Certified (facilitator) revoked",
    )
    assert [level.status for level in reinstated.levels] == [Status.CERTIFIED, Status.CERTIFIED]
    assert story(reinstated, "coach") == [
        ("granted", COACH_GRANT_DAY),
        ("revoked", date(2026, 3, 1)),
        ("reinstated", date(2026, 4, 1)),
    ]
