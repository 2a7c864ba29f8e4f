"""Publication planning: the last event published for a level always tells its current status."""

from __future__ import annotations

from datetime import date, timedelta

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import SkillRated
from services.certification.domain.policy import Policy
from services.certification.domain.publication import (
    Announced,
    PublicationPlan,
    correction_kind,
    plan_publication,
)
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import CertificationStatus, TransitionKind
from services.certification.domain.vocabulary import SkillLevel
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    observation_named,
    of_kind,
)

Status = CertificationStatus
Kind = TransitionKind


def publish(announced: list[Announced], plan: PublicationPlan) -> list[Announced]:
    """What the service records after publishing ``plan`` (ids are their positions)."""
    retracted = {i for e in plan.events for i in e.corrects} | set(plan.retracted_silently)
    updated = [
        Announced(a.event_id, a.transition, a.correction, a.retracted or a.event_id in retracted)
        for a in announced
    ]
    for planned in plan.events:
        updated.append(
            Announced(
                f"e{len(updated) + 1}",
                planned.transition,
                planned.correction,
                effective_on=planned.published_on,
            )
        )
    return updated


def announced_after(state: CertificationState) -> list[Announced]:
    return publish([], plan_publication([], state))


def test_the_first_evaluation_publishes_every_transition_in_order(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=60).observed(date(2026, 3, 1), total=60)
    state = evaluate(policy, history.build(), date(2026, 4, 1))

    plan = plan_publication([], state)

    assert [(e.transition.kind, e.transition.on, e.correction) for e in plan.events] == [
        (Kind.GRANTED, GRANT_DAY, False),
        (Kind.AT_RISK, date(2026, 2, 1), False),  # a domain below 65%
    ]
    assert plan.retracted_silently == []


def test_planning_again_after_publishing_brings_nothing(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2026, 9, 5))
    announced = announced_after(state)

    assert not plan_publication(announced, state)
    assert not plan_publication(announced, evaluate(policy, history.build(), date(2026, 9, 6)))


def test_a_late_observation_that_retracts_an_at_risk_publishes_a_restoring_correction(
    policy: Policy, history: PractitionerHistory
) -> None:
    announced = announced_after(evaluate(policy, history.build(), date(2026, 9, 5)))
    at_risk = announced[-1]
    assert at_risk.transition.kind is Kind.AT_RISK

    late = history.observed(date(2026, 8, 20), total=85).build()
    plan = plan_publication(announced, evaluate(policy, late, date(2026, 9, 5)))

    [correction] = plan.events
    assert correction.correction
    assert correction.transition.kind is Kind.RESTORED
    assert correction.transition.to_status is Status.CERTIFIED
    assert correction.corrects == (at_risk.event_id,)
    assert not plan_publication(publish(announced, plan), evaluate(policy, late, date(2026, 9, 5)))


def test_late_evidence_that_undoes_a_grant_publishes_a_lapse_correction(
    policy: Policy, history: PractitionerHistory
) -> None:
    announced = announced_after(evaluate(policy, history.build(), date(2026, 1, 10)))
    late = history.rated("FAC", SkillLevel.WITH_SUPPORT, date(2025, 11, 1)).build()

    plan = plan_publication(announced, evaluate(policy, late, date(2026, 1, 10)))

    [correction] = plan.events
    assert (correction.transition.kind, correction.correction) == (Kind.LAPSED, True)
    assert correction.transition.to_status is Status.IN_PROGRESS
    assert correction.corrects == (announced[0].event_id,)


def test_a_grant_moved_earlier_is_published_again_correcting_the_first(
    policy: Policy, history: PractitionerHistory
) -> None:
    ratings = [item for item in history.items if isinstance(item, SkillRated)]
    history.without(of_kind(SkillRated))
    for rating in ratings:  # rated later first: the grant waits for the ratings
        history.rated(rating.competency, rating.level, date(2025, 12, 20))
    announced = announced_after(evaluate(policy, history.build(), date(2026, 1, 10)))
    assert announced[0].transition.on == date(2025, 12, 20)
    for rating in ratings:  # the earlier ratings arrive late
        history.rated(rating.competency, rating.level, rating.occurred_on)

    plan = plan_publication(announced, evaluate(policy, history.build(), date(2026, 1, 10)))

    [regrant] = plan.events
    assert (regrant.transition.kind, regrant.transition.on) == (Kind.GRANTED, GRANT_DAY)
    assert (regrant.correction, regrant.corrects) == (False, (announced[0].event_id,))


def test_a_correction_leads_from_the_announced_status_to_the_current_one() -> None:
    assert correction_kind(Status.AT_RISK, Status.CERTIFIED) is Kind.RESTORED
    assert correction_kind(None, Status.CERTIFIED) is Kind.GRANTED
    assert correction_kind(Status.CERTIFIED, Status.AT_RISK) is Kind.AT_RISK
    assert correction_kind(Status.REVOKED, Status.IN_PROGRESS) is Kind.REINSTATED
    assert correction_kind(Status.CERTIFIED, Status.REVOKED) is Kind.REVOKED
    assert correction_kind(Status.CERTIFIED, Status.IN_PROGRESS) is Kind.LAPSED


def test_a_same_day_revoke_then_reinstate_is_corrected_no_earlier_than_the_revocation(
    policy: Policy, history: PractitionerHistory
) -> None:
    revoked_on = date(2026, 1, 15)
    announced = announced_after(evaluate(policy, history.revoked(revoked_on).build(), revoked_on))
    assert announced[-1].transition.kind is Kind.REVOKED

    history.reinstated(revoked_on, reason="wrong practitioner")
    plan = plan_publication(announced, evaluate(policy, history.build(), revoked_on))

    [correction] = plan.events
    assert (correction.transition.kind, correction.correction) == (Kind.REINSTATED, True)
    assert correction.published_on == revoked_on  # clamped: never before the revocation
    assert correction.transition.on == GRANT_DAY  # the true date: certified since the grant
    assert correction.corrects == (announced[-1].event_id,)


def test_effective_dates_of_one_level_never_run_backwards(
    policy: Policy, history: PractitionerHistory
) -> None:
    announced = announced_after(evaluate(policy, history.build(), date(2026, 9, 5)))
    assert announced[-1].transition.kind is Kind.AT_RISK  # 2026-08-29 by the clock
    late = history.observed(date(2026, 8, 20), total=60).build()  # below 80, a week late

    plan = plan_publication(announced, evaluate(policy, late, date(2026, 9, 5)))

    published = [
        a.published_on for a in publish(announced, plan) if a.transition.level_key == "facilitator"
    ]
    assert published == sorted(published)
    assert any(e.transition.on < e.published_on for e in plan.events)


def test_settled_transitions_count_as_known_and_never_appear_in_corrects(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=60).observed(date(2026, 3, 1), total=95)
    history.observed(date(2026, 3, 20), total=95)
    state = evaluate(policy, history.build(), date(2026, 4, 1))
    granted, at_risk, restored = state.level("facilitator").transitions
    announced = [
        Announced("g1", granted),
        Announced("s2", at_risk, published=False),
        Announced("s3", restored, published=False),
    ]
    assert not plan_publication(announced, state)

    history.without(observation_named("obs-3"))  # the 60% observation was a typo
    plan = plan_publication(announced, evaluate(policy, history.build(), date(2026, 4, 1)))

    assert plan.events == []
    assert plan.retracted_silently == ["s2", "s3"]


def test_a_practitioner_still_in_progress_with_nothing_announced_has_nothing_to_publish(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), GRANT_DAY - timedelta(days=1))

    assert not state.transitions
    assert {level.status for level in state.levels} <= {Status.IN_PROGRESS, Status.NOT_STARTED}
    assert plan_publication([], state) == PublicationPlan()


def test_a_held_status_never_announced_is_corrected_even_without_transitions(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2026, 9, 5))
    held = state.model_copy(update={"transitions": ()})  # its history cut off

    plan = plan_publication([], held)

    assert [(e.transition.kind, e.correction) for e in plan.events] == [(Kind.GRANTED, True)]
