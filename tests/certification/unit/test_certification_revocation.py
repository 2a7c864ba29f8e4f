"""Revocation and reinstatement: an admin overlay on top of what the rules give."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    story,
)

REVOKED_ON = date(2026, 1, 15)


def test_an_admin_revocation_overrides_the_rules(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.revoked(REVOKED_ON, reason="falsified records").build()

    state = evaluate(policy, evidence, date(2026, 2, 1))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.REVOKED
    assert story(state) == [("granted", GRANT_DAY), ("revoked", REVOKED_ON)]
    revoked = facilitator.transitions[-1]
    assert revoked.from_status is Status.CERTIFIED
    assert revoked.reasons == ("falsified records (by admin-1)",)
    assert revoked.evidence_ids == (history.last_event_id,)


def test_reinstatement_returns_the_status_the_rules_give_that_day(
    policy: Policy, history: PractitionerHistory
) -> None:
    # Underneath the revocation, time put the level at risk on 2026-08-29.
    history.revoked(REVOKED_ON).reinstated(date(2026, 9, 10))

    state = evaluate(policy, history.build(), date(2026, 9, 10))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.AT_RISK
    assert facilitator.at_risk_since == date(2026, 8, 29)
    assert story(state) == [
        ("granted", GRANT_DAY),
        ("revoked", REVOKED_ON),
        ("reinstated", date(2026, 9, 10)),
    ]
    assert facilitator.transitions[-1].to_status is Status.AT_RISK


def test_the_rules_keep_running_after_a_reinstatement(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.revoked(REVOKED_ON).reinstated(date(2026, 9, 10))

    state = evaluate(policy, history.build(), date(2026, 12, 1))

    assert story(state)[-1] == ("lapsed", date(2026, 11, 27))


def test_a_revocation_lifted_the_same_day_leaves_no_trace(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.revoked(REVOKED_ON).reinstated(REVOKED_ON, reason="wrong practitioner")

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.CERTIFIED
    assert story(state) == [("granted", GRANT_DAY)]


def test_revoking_one_level_leaves_the_others_alone(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 1, 10), total=85, kind="coaching")
    history.observed(date(2026, 1, 12), total=88, kind="coaching").revoked(
        date(2026, 1, 20), level="coach"
    )

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.CERTIFIED
    assert state.level("coach").status is Status.REVOKED


def test_a_revocation_of_every_level_takes_only_the_levels_held(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.revoked(REVOKED_ON)

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert state.level("facilitator").status is Status.REVOKED
    coach = state.level("coach")
    assert coach.status is Status.NOT_STARTED
    assert coach.transitions == ()  # never "coach: not_started → revoked"


def test_a_dependent_level_held_when_its_prerequisite_is_revoked_is_revoked_with_it(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 1, 10), total=85, kind="coaching")
    history.observed(date(2026, 1, 12), total=88, kind="coaching")
    history.revoked(REVOKED_ON, level="facilitator")

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    assert story(state, "coach") == [("granted", date(2026, 1, 12)), ("revoked", REVOKED_ON)]


def test_a_dependent_level_is_not_granted_while_its_prerequisite_is_revoked(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.revoked(REVOKED_ON, level="facilitator")
    history.observed(date(2026, 1, 20), total=85, kind="coaching")
    history.observed(date(2026, 1, 25), total=88, kind="coaching")

    state = evaluate(policy, history.build(), date(2026, 2, 1))

    coach = state.level("coach")
    assert coach.status is Status.IN_PROGRESS
    assert not coach.requirements[0].met
    assert "revoked" in coach.requirements[0].reason


def test_a_revocation_dated_before_the_level_is_held_does_not_touch_it(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.revoked(date(2025, 11, 1))

    state = evaluate(policy, history.build(), date(2025, 12, 31))

    assert state.level("facilitator").status is Status.CERTIFIED
    assert story(state) == [("granted", GRANT_DAY)]
