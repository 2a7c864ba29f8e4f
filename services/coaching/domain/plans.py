"""Coaching plans: a practitioner's goals, one competency and target skill level each.

A goal starts ``open`` and closes once, either ``achieved`` or ``dropped``; a closed
goal never reopens (set a new goal instead, so the history of what was aimed at stays
truthful). A goal is achieved automatically when a skill rating at or above its target
level is recorded for its competency (``domain/achievement.py``, which knows both plans
and ratings), so the handler can publish one ``GoalAchieved`` per goal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.coaching.domain.errors import InvalidFieldError, StateConflictError
from services.coaching.domain.field_rules import ensure_not_in_future, ensure_present
from services.coaching.domain.vocabulary import (
    Competency,
    GoalStatus,
    SkillLevel,
    parse_competency,
    parse_goal_status,
    parse_skill_level,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoachingGoal:
    goal_id: str
    competency: Competency
    target_level: SkillLevel
    description: str
    status: GoalStatus = GoalStatus.OPEN
    closed_on: date | None = None  # practice date it was achieved or dropped
    achieved_by_rating_id: str | None = None  # the evidence, when a rating achieved it


@dataclass(frozen=True, slots=True, kw_only=True)
class CoachingPlan:
    plan_id: str
    practitioner_id: str
    goals: tuple[CoachingGoal, ...] = ()

    def goal(self, goal_id: str) -> CoachingGoal | None:
        return next((g for g in self.goals if g.goal_id == goal_id), None)

    @property
    def goal_ids(self) -> frozenset[str]:
        return frozenset(g.goal_id for g in self.goals)


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPlan:
    plan_id: str
    practitioner_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetGoal:
    goal_id: str
    competency: str
    target_level: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeGoalStatus:
    goal_id: str
    status: str
    on_date: date


def start_plan(command: StartPlan) -> CoachingPlan:
    """A new, empty plan for one practitioner."""
    return CoachingPlan(
        plan_id=ensure_present(command.plan_id, field="plan_id"),
        practitioner_id=ensure_present(command.practitioner_id, field="practitioner_id"),
    )


def set_goal(plan: CoachingPlan, command: SetGoal) -> CoachingPlan:
    """Return ``plan`` with a new open goal.

    ``not_yet`` is refused as a target: every rating is at or above it, so such a goal
    would be achieved by the first rating and mean nothing.
    """
    goal_id = ensure_present(command.goal_id, field="goal_id")
    if plan.goal(goal_id) is not None:
        raise StateConflictError(
            "goal_id", f"goal {goal_id} already exists in this plan; use a new id"
        )
    target = parse_skill_level(command.target_level, field="target_level")
    if target is SkillLevel.NOT_YET:
        raise InvalidFieldError(
            "target_level",
            "not_yet cannot be a goal; aim for with_support, independent or can_teach",
        )
    goal = CoachingGoal(
        goal_id=goal_id,
        competency=parse_competency(command.competency, field="competency"),
        target_level=target,
        description=ensure_present(command.description, field="description"),
    )
    return replace(plan, goals=(*plan.goals, goal))


def change_goal_status(
    plan: CoachingPlan, command: ChangeGoalStatus, *, today: date
) -> CoachingPlan:
    """Close an open goal by hand: achieved (coach's judgement) or dropped.

    Only ``open → achieved`` and ``open → dropped`` exist; anything else is refused.
    """
    goal = plan.goal(command.goal_id)
    if goal is None:
        raise InvalidFieldError(
            "goal_id", f"goal {command.goal_id} is not in plan {plan.plan_id}; use one of its goals"
        )
    status = parse_goal_status(command.status, field="status")
    if status is GoalStatus.OPEN or goal.status is not GoalStatus.OPEN:
        raise StateConflictError(
            "status",
            f"goal {goal.goal_id} cannot go from {goal.status} to {status}; only an open goal "
            "can become achieved or dropped (set a new goal to aim again)",
        )
    ensure_not_in_future(command.on_date, today=today, field="on_date")
    # Achieved by hand means by the coach's judgement: no rating id to point at.
    return with_goal(plan, replace(goal, status=status, closed_on=command.on_date))


def with_goal(plan: CoachingPlan, changed: CoachingGoal) -> CoachingPlan:
    return replace(
        plan, goals=tuple(changed if g.goal_id == changed.goal_id else g for g in plan.goals)
    )
