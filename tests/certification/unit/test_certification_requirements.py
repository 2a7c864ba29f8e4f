"""The learning and coaching requirements: module order, concepts, monthly coaching, skills."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import (
    CoachingSessionHeld,
    Evidence,
    ModuleMastered,
    SkillRated,
)
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

AFTER_GRANT = date(2026, 1, 10)


def mastery_of(module_id: str) -> Callable[[Evidence], bool]:
    return lambda item: isinstance(item, ModuleMastered) and item.module_id == module_id


def test_a_module_mastered_before_the_previous_one_breaks_the_order(
    policy: Policy, history: PractitionerHistory
) -> None:
    # M2 was mastered on 2025-03-03; M3 now comes two days earlier.
    history.without(mastery_of("M3")).mastered("M3", date(2025, 3, 1))

    state = evaluate(policy, history.build(), AFTER_GRANT)

    modules = requirement(state, "facilitator", "modules_mastered_in_order")
    assert not modules.met
    assert modules.reason == (
        "2 of 6 modules mastered in order: M1 on 2025-02-03, M2 on 2025-03-03; "
        "M3 mastered on 2025-03-01, before M2 on 2025-03-03"
    )
    assert state.level("facilitator").status is Status.IN_PROGRESS


def test_module_order_rests_on_mastery_dates_not_on_the_flag_recorded_with_the_mastery(
    policy: Policy, history: PractitionerHistory
) -> None:
    # learning recorded M4 before it knew of M3 (sent later), so its old flag says false
    history.without(mastery_of("M4")).mastered(
        "M4", date(2025, 4, 28), previous_module_mastered=False
    )

    state = evaluate(policy, history.build(), AFTER_GRANT)

    assert requirement(state, "facilitator", "modules_mastered_in_order").met
    assert story(state) == [("granted", GRANT_DAY)]


def test_mastering_a_module_again_in_order_repairs_the_chain(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(mastery_of("M3")).mastered("M3", date(2025, 3, 1))
    history.mastered("M3", date(2025, 4, 1))  # again, after M2 and before M4 (2025-04-28)

    state = evaluate(policy, history.build(), AFTER_GRANT)

    assert requirement(state, "facilitator", "modules_mastered_in_order").met
    assert story(state) == [("granted", GRANT_DAY)]


def test_a_lapsed_core_concept_blocks_the_grant_until_it_is_restored(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.concept_lapsed("M2.C1", date(2025, 11, 20))
    blocked = evaluate(policy, history.build(), date(2025, 12, 9))
    history.concept_restored("M2.C1", date(2025, 12, 10))
    restored = evaluate(policy, history.build(), date(2025, 12, 10))

    concepts = requirement(blocked, "facilitator", "concepts_not_lapsed")
    assert not concepts.met
    assert concepts.reason == "1 core concept lapsed: M2.C1 since 2025-11-20"
    assert blocked.level("facilitator").status is Status.IN_PROGRESS
    assert story(restored) == [("granted", date(2025, 12, 10))]


def test_a_restoration_on_the_day_of_a_lapse_wins(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.concept_restored("M2.C1", date(2025, 11, 20)).concept_lapsed(
        "M2.C1", date(2025, 11, 20)
    )

    assert requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", "concepts_not_lapsed"
    ).met


def test_monthly_coaching_needs_nine_of_the_last_twelve_calendar_months(
    policy: Policy, history: PractitionerHistory
) -> None:
    # Sessions April–November 2025: eight months by the second observation.
    history.without(of_kind(CoachingSessionHeld)).monthly_coaching(date(2025, 4, 15), months=8)

    state = evaluate(policy, history.build(), GRANT_DAY)

    coaching = requirement(state, "facilitator", "monthly_coaching")
    assert not coaching.met
    assert coaching.reason.startswith(
        "sessions with feedback and practice in 8 of the 12 calendar months 2025-01 to 2025-12 "
        "(need 9): 2025-04"
    )
    assert len(coaching.evidence_ids) == 8


def test_a_session_earlier_in_the_current_month_counts_toward_monthly_coaching(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(of_kind(CoachingSessionHeld)).monthly_coaching(date(2025, 4, 15), months=8)
    history.coached(date(2025, 12, 5))  # the ninth month is the evaluation's own month

    state = evaluate(policy, history.build(), date(2025, 12, 31))

    assert story(state) == [("granted", date(2025, 12, 5))]


def test_months_before_the_twelve_month_window_no_longer_count(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(of_kind(CoachingSessionHeld)).monthly_coaching(date(2025, 1, 15), months=9)

    on_grant_day = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", "monthly_coaching"
    )
    next_month = requirement(
        evaluate(policy, history.build(), date(2026, 1, 10)), "facilitator", "monthly_coaching"
    )

    assert on_grant_day.met  # January–September 2025 inside 2025-01 … 2025-12
    assert not next_month.met  # January 2025 fell out of 2025-02 … 2026-01
    assert "8 of the 12 calendar months 2025-02 to 2026-01" in next_month.reason


def test_sessions_without_practice_and_feedback_do_not_count(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(of_kind(CoachingSessionHeld))
    for month in range(2, 12):
        history.coached(date(2025, month, 15), ("observation", "practice", "reflection"))

    coaching = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", "monthly_coaching"
    )

    assert not coaching.met
    assert coaching.reason == (
        "sessions with feedback and practice in 0 of the 12 calendar months 2025-01 to 2025-12 "
        "(need 9); 10 sessions lacked feedback and practice"
    )


def test_a_rating_below_independent_blocks_the_grant_until_rated_higher(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.rated("FAC", SkillLevel.WITH_SUPPORT, date(2025, 11, 1))
    blocked = evaluate(policy, history.build(), date(2025, 12, 19))
    history.rated("FAC", SkillLevel.CAN_TEACH, date(2025, 12, 20))
    granted = evaluate(policy, history.build(), date(2025, 12, 20))

    skills = requirement(blocked, "facilitator", "skill_ratings")
    assert not skills.met
    assert skills.reason == (
        "7 of 8 competencies rated independent or higher; below: FAC with_support (2025-11-01)"
    )
    assert story(granted) == [("granted", date(2025, 12, 20))]


def test_a_competency_never_rated_blocks_the_grant(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(lambda item: isinstance(item, SkillRated) and item.competency == "TRAN")

    skills = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", "skill_ratings"
    )

    assert not skills.met
    assert skills.reason.endswith("below: TRAN not rated")


def test_of_two_ratings_on_one_day_the_lower_stands(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.rated("SAFE", SkillLevel.CAN_TEACH, date(2025, 11, 1))
    history.rated("SAFE", SkillLevel.NOT_YET, date(2025, 11, 1))

    skills = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", "skill_ratings"
    )

    assert not skills.met
    assert "SAFE not_yet (2025-11-01)" in skills.reason
