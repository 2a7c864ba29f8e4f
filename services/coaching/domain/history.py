"""Folding event streams back into domain state: assignment history and coaching plans.

The write side rebuilds what a rule needs from the stream it is about to append to (the
practitioner's assignment stream, their plan stream), so the state checked and the
version appended against always agree. Pure: events in, state out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from services.coaching.domain.assignments import CoachAssignment
from services.coaching.domain.events import (
    CoachAssigned,
    CoachAssignmentEnded,
    CoachingPlanSet,
    GoalAchieved,
    PlannedGoal,
)
from services.coaching.domain.plans import CoachingGoal, CoachingPlan
from services.coaching.domain.vocabulary import (
    Competency,
    GoalStatus,
    SkillLevel,
)
from shared.events import DomainEvent


def assignment_history(events: Iterable[DomainEvent]) -> list[CoachAssignment]:
    """Every assignment of one practitioner, with its end date when it was ended."""
    by_id: dict[str, CoachAssignment] = {}
    for event in events:
        if isinstance(event, CoachAssigned):
            by_id[event.assignment_id] = CoachAssignment(
                assignment_id=event.assignment_id,
                coach_id=event.coach_id,
                practitioner_id=event.practitioner_id,
                valid_from=event.valid_from,
                valid_to=event.valid_to,
            )
        elif isinstance(event, CoachAssignmentEnded) and event.assignment_id in by_id:
            by_id[event.assignment_id] = replace(
                by_id[event.assignment_id], valid_to=event.valid_to
            )
    return list(by_id.values())


def plan_state(events: Iterable[DomainEvent]) -> CoachingPlan | None:
    """The practitioner's plan as its stream leaves it, or None when never set."""
    plan: CoachingPlan | None = None
    for event in events:
        if isinstance(event, CoachingPlanSet):
            plan = CoachingPlan(
                plan_id=event.plan_id,
                practitioner_id=event.practitioner_id,
                goals=tuple(goal_from_snapshot(g) for g in event.goals),
            )
        elif isinstance(event, GoalAchieved) and plan is not None:
            plan = replace(
                plan,
                goals=tuple(
                    replace(
                        g,
                        status=GoalStatus.ACHIEVED,
                        closed_on=event.achieved_on,
                        achieved_by_rating_id=event.rating_id,
                    )
                    if g.goal_id == event.goal_id
                    else g
                    for g in plan.goals
                ),
            )
    return plan


def goal_snapshot(goal: CoachingGoal) -> PlannedGoal:
    return PlannedGoal(
        goal_id=goal.goal_id,
        competency=goal.competency.value,
        target_level=goal.target_level.value,
        description=goal.description,
        status=goal.status.value,
        closed_on=goal.closed_on,
        achieved_by_rating_id=goal.achieved_by_rating_id,
    )


def goal_from_snapshot(goal: PlannedGoal) -> CoachingGoal:
    return CoachingGoal(
        goal_id=goal.goal_id,
        competency=Competency(goal.competency),
        target_level=SkillLevel(goal.target_level),
        description=goal.description,
        status=GoalStatus(goal.status),
        closed_on=goal.closed_on,
        achieved_by_rating_id=goal.achieved_by_rating_id,
    )


def plan_set(plan: CoachingPlan) -> CoachingPlanSet:
    """The `coaching_plan_set` event that records ``plan`` as it now stands."""
    return CoachingPlanSet(
        plan_id=plan.plan_id,
        practitioner_id=plan.practitioner_id,
        goals=tuple(goal_snapshot(g) for g in plan.goals),
    )


def goal_achieved(plan: CoachingPlan, goal: CoachingGoal) -> GoalAchieved:
    """The `goal_achieved` event for ``goal`` (already closed as achieved)."""
    assert goal.closed_on is not None, "an achieved goal carries the date it closed"
    return GoalAchieved(
        plan_id=plan.plan_id,
        goal_id=goal.goal_id,
        practitioner_id=plan.practitioner_id,
        competency=goal.competency.value,
        target_level=goal.target_level.value,
        achieved_on=goal.closed_on,
        rating_id=goal.achieved_by_rating_id,
    )
