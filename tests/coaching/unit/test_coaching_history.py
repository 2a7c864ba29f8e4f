"""Folding the coaching streams back into state: assignment history and plans."""

from __future__ import annotations

from datetime import date

from services.coaching.domain.achievement import apply_rating
from services.coaching.domain.events import (
    CoachAssigned,
    CoachAssignmentEnded,
    GoalAchieved,
    registry,
)
from services.coaching.domain.history import (
    assignment_history,
    goal_achieved,
    plan_set,
    plan_state,
)
from services.coaching.domain.vocabulary import GoalStatus, SkillLevel
from tests.coaching.unit.coaching_builders import (
    COACH,
    OTHER_COACH,
    PRACTITIONER,
    goal,
    plan,
    rating,
)


def assigned(assignment_id: str, coach_id: str, valid_from: date) -> CoachAssigned:
    return CoachAssigned(
        assignment_id=assignment_id,
        coach_id=coach_id,
        practitioner_id=PRACTITIONER,
        valid_from=valid_from,
        valid_to=None,
    )


def test_an_ended_assignment_keeps_its_last_day_beside_the_one_that_followed() -> None:
    history = assignment_history(
        [
            assigned("a-1", COACH, date(2025, 1, 1)),
            CoachAssignmentEnded(
                assignment_id="a-1",
                coach_id=COACH,
                practitioner_id=PRACTITIONER,
                valid_to=date(2025, 6, 30),
            ),
            assigned("a-2", OTHER_COACH, date(2025, 7, 1)),
        ]
    )

    assert [(a.coach_id, a.valid_from, a.valid_to) for a in history] == [
        (COACH, date(2025, 1, 1), date(2025, 6, 30)),
        (OTHER_COACH, date(2025, 7, 1), None),
    ]


def test_no_plan_before_one_is_set() -> None:
    assert plan_state([]) is None


def test_a_plan_replays_to_what_was_set_and_achieved() -> None:
    before = plan(goal("goal-fac"), goal("goal-safe", target=SkillLevel.CAN_TEACH))
    after, [reached] = apply_rating(
        before, rating("r-1", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 6, 10))
    )

    replayed = plan_state([plan_set(before), goal_achieved(after, reached)])

    assert replayed == after
    assert replayed is not None
    assert [g.status for g in replayed.goals] == [GoalStatus.ACHIEVED, GoalStatus.OPEN]
    assert replayed.goals[0].achieved_by_rating_id == "r-1"


def test_stored_payloads_decode_back_into_the_same_events() -> None:
    after, [reached] = apply_rating(
        plan(goal("goal-fac")),
        rating("r-1", level=SkillLevel.CAN_TEACH, rated_on=date(2025, 6, 10)),
    )
    event = goal_achieved(after, reached)

    decoded = registry.decode(event.name, 1, event.model_dump(mode="json"))

    assert isinstance(decoded, GoalAchieved)
    assert decoded == event
