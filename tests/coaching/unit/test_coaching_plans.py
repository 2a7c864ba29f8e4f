"""Coaching plans: goals per competency, closing once, achieved by ratings."""

from __future__ import annotations

from datetime import date

from services.coaching.domain.achievement import apply_rating, goals_achieved_by
from services.coaching.domain.errors import InvalidFieldError, StateConflictError
from services.coaching.domain.plans import (
    ChangeGoalStatus,
    StartPlan,
    change_goal_status,
    set_goal,
    start_plan,
)
from services.coaching.domain.vocabulary import Competency, GoalStatus, SkillLevel
from tests.coaching.unit.coaching_builders import (
    OTHER_PRACTITIONER,
    PRACTITIONER,
    TODAY,
    goal,
    plan,
    rating,
    refused,
    set_goal_command,
)


def close(goal_id: str, status: str, on_date: date = date(2025, 6, 1)) -> ChangeGoalStatus:
    return ChangeGoalStatus(goal_id=goal_id, status=status, on_date=on_date)


class TestSettingGoals:
    def test_new_goal_is_open_with_its_competency_and_target(self) -> None:
        started = start_plan(StartPlan(plan_id="plan-1", practitioner_id=PRACTITIONER))

        updated = set_goal(started, set_goal_command())

        (new_goal,) = updated.goals
        assert new_goal.competency is Competency.SAFE
        assert new_goal.target_level is SkillLevel.INDEPENDENT
        assert new_goal.status is GoalStatus.OPEN

    def test_unknown_competency_is_refused(self) -> None:
        with refused(InvalidFieldError, "competency", "'LEADERSHIP'", "ENG"):
            set_goal(plan(), set_goal_command(competency="LEADERSHIP"))

    def test_unknown_target_level_is_refused(self) -> None:
        with refused(InvalidFieldError, "target_level", "'mastery'", "can_teach"):
            set_goal(plan(), set_goal_command(target_level="mastery"))

    def test_not_yet_is_no_target(self) -> None:
        with refused(InvalidFieldError, "target_level", "not_yet cannot be a goal"):
            set_goal(plan(), set_goal_command(target_level="not_yet"))

    def test_reused_goal_id_is_refused(self) -> None:
        with refused(StateConflictError, "goal_id", "already exists"):
            set_goal(plan(goal("goal-new")), set_goal_command(goal_id="goal-new"))

    def test_blank_description_is_refused(self) -> None:
        with refused(InvalidFieldError, "description", "empty"):
            set_goal(plan(), set_goal_command(description=""))


class TestClosingGoalsByHand:
    def test_open_goal_can_be_dropped(self) -> None:
        updated = change_goal_status(plan(goal("g1")), close("g1", "dropped"), today=TODAY)

        dropped = updated.goal("g1")
        assert dropped is not None
        assert (dropped.status, dropped.closed_on) == (GoalStatus.DROPPED, date(2025, 6, 1))

    def test_open_goal_can_be_achieved_by_the_coachs_judgement(self) -> None:
        updated = change_goal_status(plan(goal("g1")), close("g1", "achieved"), today=TODAY)

        achieved = updated.goal("g1")
        assert achieved is not None
        assert achieved.status is GoalStatus.ACHIEVED
        assert achieved.achieved_by_rating_id is None

    def test_achieved_goal_cannot_be_dropped(self) -> None:
        achieved = change_goal_status(plan(goal("g1")), close("g1", "achieved"), today=TODAY)

        with refused(StateConflictError, "status", "from achieved to dropped", "only an open"):
            change_goal_status(achieved, close("g1", "dropped"), today=TODAY)

    def test_dropped_goal_cannot_become_achieved(self) -> None:
        dropped = change_goal_status(plan(goal("g1")), close("g1", "dropped"), today=TODAY)

        with refused(StateConflictError, "status", "from dropped to achieved"):
            change_goal_status(dropped, close("g1", "achieved"), today=TODAY)

    def test_no_goal_reopens(self) -> None:
        with refused(StateConflictError, "status", "from open to open"):
            change_goal_status(plan(goal("g1")), close("g1", "open"), today=TODAY)

    def test_unknown_status_is_refused(self) -> None:
        with refused(InvalidFieldError, "status", "'paused'", "open, achieved, dropped"):
            change_goal_status(plan(goal("g1")), close("g1", "paused"), today=TODAY)

    def test_goal_outside_the_plan_is_refused(self) -> None:
        with refused(InvalidFieldError, "goal_id", "goal g9 is not in plan"):
            change_goal_status(plan(goal("g1")), close("g9", "dropped"), today=TODAY)

    def test_closing_on_a_future_date_is_refused(self) -> None:
        with refused(InvalidFieldError, "on_date", "in the future"):
            change_goal_status(
                plan(goal("g1")), close("g1", "dropped", date(2025, 6, 16)), today=TODAY
            )


class TestAutomaticAchievement:
    def test_rating_at_the_target_achieves_the_goal_with_its_evidence(self) -> None:
        coaching_plan = plan(goal("g-fac", target=SkillLevel.INDEPENDENT))
        new_rating = rating("r1", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 6, 3))

        (achieved,) = goals_achieved_by(coaching_plan, new_rating)

        assert achieved.goal_id == "g-fac"
        assert achieved.status is GoalStatus.ACHIEVED
        assert achieved.closed_on == date(2025, 6, 3)
        assert achieved.achieved_by_rating_id == "r1"

    def test_rating_above_the_target_achieves_the_goal(self) -> None:
        coaching_plan = plan(goal("g-fac", target=SkillLevel.WITH_SUPPORT))

        achieved = goals_achieved_by(
            coaching_plan, rating("r1", level=SkillLevel.CAN_TEACH, rated_on=date(2025, 6, 3))
        )

        assert [g.goal_id for g in achieved] == ["g-fac"]

    def test_rating_below_the_target_achieves_nothing(self) -> None:
        coaching_plan = plan(goal("g-fac", target=SkillLevel.INDEPENDENT))

        achieved = goals_achieved_by(
            coaching_plan, rating("r1", level=SkillLevel.WITH_SUPPORT, rated_on=date(2025, 6, 3))
        )

        assert achieved == ()

    def test_rating_of_another_competency_achieves_nothing(self) -> None:
        coaching_plan = plan(goal("g-safe", competency=Competency.SAFE))

        achieved = goals_achieved_by(
            coaching_plan, rating("r1", level=SkillLevel.CAN_TEACH, rated_on=date(2025, 6, 3))
        )

        assert achieved == ()

    def test_one_rating_can_achieve_several_goals_of_its_competency(self) -> None:
        coaching_plan = plan(
            goal("g-support", target=SkillLevel.WITH_SUPPORT),
            goal("g-indep", target=SkillLevel.INDEPENDENT),
            goal("g-teach", target=SkillLevel.CAN_TEACH),
        )

        achieved = goals_achieved_by(
            coaching_plan, rating("r1", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 6, 3))
        )

        assert [g.goal_id for g in achieved] == ["g-support", "g-indep"]

    def test_dropped_goal_is_not_achieved_by_a_later_rating(self) -> None:
        dropped = change_goal_status(plan(goal("g1")), close("g1", "dropped"), today=TODAY)

        achieved = goals_achieved_by(
            dropped, rating("r1", level=SkillLevel.CAN_TEACH, rated_on=date(2025, 6, 3))
        )

        assert achieved == ()

    def test_applying_a_rating_updates_the_plan_and_a_replay_changes_nothing(self) -> None:
        coaching_plan = plan(goal("g1"), goal("g-safe", competency=Competency.SAFE))
        new_rating = rating("r1", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 6, 3))

        updated, achieved = apply_rating(coaching_plan, new_rating)
        replayed, achieved_again = apply_rating(updated, new_rating)

        assert [g.goal_id for g in achieved] == ["g1"]
        assert [g.status for g in updated.goals] == [GoalStatus.ACHIEVED, GoalStatus.OPEN]
        assert achieved_again == ()
        assert replayed == updated

    def test_rating_of_another_practitioner_is_refused(self) -> None:
        other = rating(
            "r1",
            level=SkillLevel.CAN_TEACH,
            rated_on=date(2025, 6, 3),
            practitioner_id=OTHER_PRACTITIONER,
        )

        with refused(InvalidFieldError, "practitioner_id", f"belongs to {PRACTITIONER}"):
            goals_achieved_by(plan(goal("g1")), other)
