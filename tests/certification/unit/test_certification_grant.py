"""Granting the Facilitator level: when it happens, how it is explained, what it keeps."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import EvidenceSet, PractitionerEnrolled
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from services.certification.domain.vocabulary import SkillLevel
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    of_kind,
    requirement,
    story,
)


def test_grants_facilitator_on_the_day_the_last_requirement_is_met(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2026, 1, 10))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.CERTIFIED
    assert facilitator.certified_on == GRANT_DAY
    assert facilitator.requirements_met
    assert story(state) == [("granted", GRANT_DAY)]
    assert state.transitions[0].from_status is Status.IN_PROGRESS


def test_is_in_progress_the_day_before_with_the_missing_requirement_named(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2025, 11, 30))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.IN_PROGRESS
    unmet = [r for r in facilitator.requirements if not r.met]
    assert [r.requirement for r in unmet] == ["qualifying_observations"]
    assert unmet[0].reason.startswith("1 of 2 qualifying team meeting observations")
    assert state.transitions == ()


def test_is_not_started_without_any_evidence(policy: Policy) -> None:
    state = evaluate(policy, EvidenceSet("pr-1"), date(2026, 1, 1))

    assert [level.status for level in state.levels] == [Status.NOT_STARTED, Status.NOT_STARTED]
    assert state.level("facilitator").maintenance == ()


def test_enrollment_alone_puts_the_facilitator_level_in_progress(policy: Policy) -> None:
    evidence = PractitionerHistory().enrolled(date(2025, 1, 6)).build()

    state = evaluate(policy, evidence, date(2025, 3, 1))

    assert state.level("facilitator").status is Status.IN_PROGRESS
    assert state.level("coach").status is Status.NOT_STARTED


def test_explains_the_observations_with_dates_scores_spacing_and_independent_observer(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()

    result = requirement(
        evaluate(policy, evidence, GRANT_DAY), "facilitator", "qualifying_observations"
    )

    assert result.reason == (
        "2 of 2 qualifying team meeting observations in the last 180 days: "
        "obs-1 on 2025-10-20 (86%), obs-2 on 2025-12-01 (83%); 42 days apart; "
        "obs-2 observed by observer-9, not the practitioner's coach"
    )
    assert [evidence[i].occurred_on for i in result.evidence_ids] == [
        date(2025, 10, 20),
        GRANT_DAY,
    ]


def test_every_requirement_names_the_evidence_it_rests_on(
    policy: Policy, history: PractitionerHistory
) -> None:
    evidence = history.build()
    state = evaluate(policy, evidence, GRANT_DAY)

    results = {r.requirement: r for r in state.level("facilitator").requirements}
    assert set(results) == {
        "modules_mastered_in_order",
        "concepts_not_lapsed",
        "monthly_coaching",
        "skill_ratings",
        "qualifying_observations",
        "tenure",
    }
    kinds = {name: {evidence[i].kind for i in r.evidence_ids} for name, r in results.items()}
    assert kinds == {
        "modules_mastered_in_order": {"module_mastered"},
        "concepts_not_lapsed": set(),  # rests on the absence of any lapse
        "monthly_coaching": {"coaching_session_held"},
        "skill_ratings": {"skill_rated"},
        "qualifying_observations": {"observation_recorded"},
        "tenure": {"practitioner_enrolled"},
    }
    granted = state.transitions[0]
    assert set(granted.evidence_ids) == {i for r in results.values() for i in r.evidence_ids}
    assert len(granted.reasons) == len(results)


def test_stays_certified_when_the_initial_rules_no_longer_hold(
    policy: Policy, history: PractitionerHistory
) -> None:
    # Coaching stops after January 2026 and a rating drops, but fidelity holds.
    history.observed_every(date(2026, 1, 30), count=6, every_days=60, total=85)
    history.rated("FAC", SkillLevel.WITH_SUPPORT, date(2026, 6, 1))

    state = evaluate(policy, history.build(), date(2026, 12, 31))

    facilitator = state.level("facilitator")
    assert facilitator.status is Status.CERTIFIED
    assert not requirement(state, "facilitator", "monthly_coaching").met
    assert not requirement(state, "facilitator", "skill_ratings").met
    assert not any(rule.fired for rule in facilitator.maintenance)
    assert story(state) == [("granted", GRANT_DAY)]


def test_tenure_holds_the_grant_until_300_days_in_the_program(
    policy: Policy, history: PractitionerHistory
) -> None:
    # Starting on 2025-03-01, the 300th day is 2025-12-26: nothing else happens that day.
    history.without(of_kind(PractitionerEnrolled)).enrolled(date(2025, 3, 1))

    before = evaluate(policy, history.build(), date(2025, 12, 25))
    after = evaluate(policy, history.build(), date(2025, 12, 26))

    tenure = requirement(before, "facilitator", "tenure")
    assert not tenure.met
    assert tenure.reason == "299 days since program start on 2025-03-01 (need 300)"
    assert before.level("facilitator").status is Status.IN_PROGRESS
    assert story(after) == [("granted", date(2025, 12, 26))]
