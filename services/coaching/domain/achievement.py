"""How a skill rating achieves a plan's goals.

A goal is achieved automatically when a skill rating at or above its target level is
recorded for its competency: ``goals_achieved_by`` says which goals a new rating closes,
so the handler can publish one ``GoalAchieved`` per goal. Apart from plans and ratings
because it needs both (ratings rest on sessions, and sessions on plans).
"""

from __future__ import annotations

from dataclasses import replace

from services.coaching.domain.errors import InvalidFieldError
from services.coaching.domain.plans import CoachingGoal, CoachingPlan, with_goal
from services.coaching.domain.ratings import SkillRating
from services.coaching.domain.vocabulary import GoalStatus


def goals_achieved_by(plan: CoachingPlan, rating: SkillRating) -> tuple[CoachingGoal, ...]:
    """The open goals ``rating`` achieves, as they stand once achieved.

    A goal is achieved when the rating is for its competency and at or above its
    target level. Closed goals are left alone, so replaying a rating changes nothing.
    """
    if rating.practitioner_id != plan.practitioner_id:
        raise InvalidFieldError(
            "practitioner_id",
            f"rating {rating.rating_id} is for {rating.practitioner_id}, but plan "
            f"{plan.plan_id} belongs to {plan.practitioner_id}",
        )
    return tuple(
        replace(
            goal,
            status=GoalStatus.ACHIEVED,
            closed_on=rating.rated_on,
            achieved_by_rating_id=rating.rating_id,
        )
        for goal in plan.goals
        if goal.status is GoalStatus.OPEN
        and goal.competency is rating.competency
        and rating.level >= goal.target_level
    )


def apply_rating(
    plan: CoachingPlan, rating: SkillRating
) -> tuple[CoachingPlan, tuple[CoachingGoal, ...]]:
    """``plan`` after ``rating`` is recorded, and the goals that it achieved."""
    achieved = goals_achieved_by(plan, rating)
    for goal in achieved:
        plan = with_goal(plan, goal)
    return plan, achieved
