"""The fold remembers each rule's answer per timeline: a remembered answer is the fresh one.

The replay judges every rule on every checkpoint day; a timeline keeps each answer
under everything the rule read (timeline.py `remember`). These tests judge every rule
on every day of a varied history twice: on one timeline asked day after day (in order
and shuffled, so answers are remembered across days) and on a fresh timeline per day.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.maintenance import check_maintenance
from services.certification.domain.policy import Policy
from services.certification.domain.requirements import check_requirement
from services.certification.domain.timeline import Timeline
from services.certification.domain.vocabulary import SkillLevel
from tests.certification.unit.certification_builders import (
    COACH,
    GRANT_DAY,
    INDEPENDENT_OBSERVER,
    PractitionerHistory,
)

UNTIL = date(2027, 3, 1)


def varied_history() -> EvidenceSet:
    """Certified, then concept lapses and reviews, low and late observations, a lapse."""
    history = PractitionerHistory.certified_facilitator()
    history.concept_lapsed("C1", date(2026, 1, 5)).concept_restored("C1", date(2026, 2, 9))
    history.concept_lapsed("C2", date(2026, 3, 2))
    history.rated("ENG", SkillLevel.WITH_SUPPORT, date(2026, 2, 1))
    history.observed(date(2026, 2, 20), total=72, observer=INDEPENDENT_OBSERVER)
    history.observed(date(2026, 4, 1), total=91, observer=COACH, kind="coaching")
    history.observed(date(2026, 5, 6), total=88, observer=INDEPENDENT_OBSERVER, kind="coaching")
    history.observed(date(2026, 6, 15), total=64, domains={"engagement": 50, "planning": 70})
    history.coached(date(2026, 7, 15), ("practice",))
    history.mastered("M2", date(2026, 8, 3))
    history.observed(date(2026, 12, 1), total=85, observer=INDEPENDENT_OBSERVER, imported=True)
    return history.build()


def days() -> list[date]:
    first = GRANT_DAY - timedelta(days=330)
    return [first + timedelta(days=n) for n in range((UNTIL - first).days + 1)]


def counts_after_of(day: date) -> date | None:
    """Judged as after a lapse on some days, so the lapse-scoped answers are asked too."""
    return day - timedelta(days=day.day * 7) if day.day % 3 == 0 else None


@pytest.mark.parametrize("shuffled", [False, True])
def test_every_requirement_answers_on_a_remembering_timeline_as_on_a_fresh_one(
    policy: Policy, shuffled: bool
) -> None:
    evidence = varied_history()
    remembering = Timeline(evidence, UNTIL)
    asked = days()
    if shuffled:
        random.Random(14).shuffle(asked)
    for day in asked:
        for level in policy.levels:
            for rule in level.requires:
                after = counts_after_of(day)
                fresh = check_requirement(rule, Timeline(evidence, UNTIL), day, after)
                assert check_requirement(rule, remembering, day, after) == fresh, (day, rule)


def test_every_maintenance_rule_answers_on_a_remembering_timeline_as_on_a_fresh_one(
    policy: Policy,
) -> None:
    evidence = varied_history()
    remembering = Timeline(evidence, UNTIL)
    for day in days():
        for level in policy.levels:
            at_risk_since = day - timedelta(days=40) if day.month % 2 else None
            fresh = check_maintenance(
                level.maintenance, Timeline(evidence, UNTIL), day, at_risk_since, None
            )
            remembered = check_maintenance(level.maintenance, remembering, day, at_risk_since, None)
            assert remembered == fresh, (day, level.key)


def test_a_timeline_computes_an_answer_once_per_rule_and_inputs(policy: Policy) -> None:
    timeline = Timeline(varied_history(), UNTIL)
    rule, twin = policy.levels[0].requires[0], policy.levels[0].requires[0].model_copy()
    computed: list[str] = []

    def compute(answer: str) -> str:
        computed.append(answer)
        return answer

    assert timeline.remember(rule, 3, lambda: compute("first")) == "first"
    assert timeline.remember(rule, 3, lambda: compute("again")) == "first"
    assert timeline.remember(rule, 4, lambda: compute("other inputs")) == "other inputs"
    assert timeline.remember(twin, 3, lambda: compute("another rule")) == "another rule"
    assert computed == ["first", "other inputs", "another rule"]


def test_the_observation_window_covers_the_observations_dated_inside_it() -> None:
    history = PractitionerHistory()
    for day in (date(2026, 1, 5), date(2026, 2, 1), date(2026, 2, 1), date(2026, 3, 9)):
        history.observed(day)
    timeline = Timeline(history.build(), UNTIL)
    on = date(2026, 3, 1)

    start, end = timeline.observation_span("team_meeting", on, date(2026, 2, 1), None)
    inside = timeline.observations(on, "team_meeting")[start:end]
    assert [o.occurred_on for o in inside] == [date(2026, 2, 1), date(2026, 2, 1)]

    start, end = timeline.observation_span("team_meeting", on, date(2026, 1, 1), date(2026, 2, 1))
    assert (start, end) == (3, 3)  # after a lapse on 2026-02-01: none known by 2026-03-01
    assert timeline.observation_count(on, "coaching") == 0
