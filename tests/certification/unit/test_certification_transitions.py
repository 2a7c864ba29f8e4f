"""Transitions as news: what the service should publish after each re-evaluation."""

from __future__ import annotations

from datetime import date, timedelta

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import (
    TransitionKind,
    new_transitions,
    retracted_transitions,
)
from tests.certification.unit.certification_builders import PractitionerHistory


def test_only_transitions_not_yet_published_are_new(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()
    published = evaluate(policy, evidence, date(2026, 1, 1)).transitions

    current = evaluate(policy, evidence, date(2026, 9, 1)).transitions

    new = new_transitions(published, current)
    assert [(t.level_key, t.kind, t.on) for t in new] == [
        ("facilitator", TransitionKind.AT_RISK, date(2026, 8, 29))
    ]
    assert retracted_transitions(published, current) == []


def test_a_clock_tick_without_a_rule_flip_brings_nothing_new(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()

    yesterday = evaluate(policy, evidence, date(2026, 3, 1)).transitions
    today = evaluate(policy, evidence, date(2026, 3, 2)).transitions

    assert today
    assert new_transitions(yesterday, today) == []


def test_history_as_of_an_earlier_date_is_the_prefix_of_later_history(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.observed(date(2026, 2, 1), total=70).observed(date(2026, 3, 1), total=90)
    history.revoked(date(2026, 4, 1)).reinstated(date(2026, 5, 1))
    evidence = history.build()
    final = evaluate(policy, evidence, date(2027, 6, 1)).transitions
    assert len(final) >= 6

    day = date(2025, 11, 1)
    while day <= date(2027, 6, 1):
        assert evaluate(policy, evidence, day).transitions == tuple(t for t in final if t.on <= day)
        day += timedelta(days=11)


def test_a_late_observation_retracts_a_published_at_risk(
    policy: Policy, history: PractitionerHistory
) -> None:
    published = evaluate(policy, history.build(), date(2026, 9, 5)).transitions
    # Observed on 2026-08-20, entered a fortnight later.
    late = history.observed(date(2026, 8, 20), total=85).build()

    current = evaluate(policy, late, date(2026, 9, 5)).transitions

    assert new_transitions(published, current) == []
    retracted = retracted_transitions(published, current)
    assert [(t.kind, t.on) for t in retracted] == [(TransitionKind.AT_RISK, date(2026, 8, 29))]
