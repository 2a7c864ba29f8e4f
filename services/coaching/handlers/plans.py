"""Use cases of coaching plans: set a plan, add a goal, close a goal by hand, read.

A practitioner has one plan. Its stream records `coaching_plan_set` (the whole plan as
it now stands) whenever goals are added or dropped, and `goal_achieved` whenever a goal
is reached, by a rating (see ratings) or by the coach's judgement here. Coaches change
the plans of their current caseload only; supervisors and admins any plan.
"""

from __future__ import annotations

import uuid

from services.coaching.adapters.plan_rows import (
    find_plan,
    insert_plan,
    list_plans,
    update_plan_goals,
)
from services.coaching.adapters.streams import (
    load_assignments,
    load_plan,
    pending,
    plan_stream,
)
from services.coaching.domain.history import goal_achieved, plan_set
from services.coaching.domain.plans import (
    ChangeGoalStatus,
    CoachingPlan,
    SetGoal,
    StartPlan,
    change_goal_status,
    set_goal,
    start_plan,
)
from services.coaching.domain.vocabulary import GoalStatus
from services.coaching.handlers.recording import (
    ensure_same_repeat,
    practice_today,
    record_id,
    retried_after_a_race,
)
from services.coaching.models.plans import GoalCreate, GoalStatusChange, PlanCreate, PlanPublic
from services.coaching.permissions import ensure_may_coach, own_records_only, practitioner_filter
from shared.auth import Principal
from shared.database import Connection
from shared.idempotency import Recorded, fingerprint
from shared.pagination import Page, PageRequest
from shared.problems import Conflict, NotFound
from shared.roster import require_on_roster
from shared.service import Runtime


@retried_after_a_race
async def create_plan(
    runtime: Runtime, principal: Principal, request: PlanCreate
) -> Recorded[PlanPublic]:
    agency, practitioner = principal.agency_id, request.practitioner_id
    plan_id = record_id(request.id)
    content_hash = fingerprint(request.model_copy(update={"id": plan_id}))
    async with runtime.store.transaction() as conn:
        stored = await find_plan(conn, agency, plan_id)
        if stored is not None:
            ensure_same_repeat("plan", plan_id, stored.fingerprint, content_hash)
            return Recorded(stored.public, created=False)
        await require_on_roster(conn, agency, [practitioner], practice_today())
        current = await load_plan(runtime.store, conn, agency, practitioner)
        if current.state is not None:
            raise Conflict(
                f"{practitioner} already has coaching plan {current.state.plan_id}; add goals "
                f"to it with POST /plans/{current.state.plan_id}/goals"
            )
        await _ensure_may_coach(runtime, conn, principal, practitioner)
        plan = start_plan(StartPlan(plan_id=str(plan_id), practitioner_id=practitioner))
        for goal in request.goals:
            plan = set_goal(plan, _set_goal(goal))
        await runtime.store.append(
            conn,
            plan_stream(agency, practitioner),
            [
                pending(
                    plan_set(plan),
                    principal,
                    subject=practitioner,
                    on=practice_today(),
                    fingerprint=content_hash,
                )
            ],
            expected_version=current.version,
        )
        await insert_plan(conn, agency, plan, content_hash)
        return Recorded(await _public(conn, agency, plan_id), created=True)


@retried_after_a_race
async def add_goal(
    runtime: Runtime, principal: Principal, plan_id: uuid.UUID, request: GoalCreate
) -> Recorded[PlanPublic]:
    """Add an open goal; repeating a goal id with the same content changes nothing."""
    agency = principal.agency_id
    command = _set_goal(request)
    async with runtime.store.transaction() as conn:
        plan, version = await _plan(runtime, conn, principal, plan_id)
        existing = plan.goal(command.goal_id)
        if existing is not None:
            same = (existing.competency.value, existing.target_level.value, existing.description)
            asked = (command.competency, command.target_level, command.description.strip())
            if same != asked:
                raise Conflict(
                    f"goal {command.goal_id} already exists in plan {plan_id} with different "
                    "content; use a new id for a new goal"
                )
            return Recorded(await _public(conn, agency, plan_id), created=False)
        await _ensure_may_coach(runtime, conn, principal, plan.practitioner_id)
        changed = set_goal(plan, command)
        await _append_plan_events(runtime, conn, principal, plan, version, changed, achieved=None)
        return Recorded(await _public(conn, agency, plan_id), created=True)


@retried_after_a_race
async def close_goal(
    runtime: Runtime,
    principal: Principal,
    plan_id: uuid.UUID,
    goal_id: str,
    request: GoalStatusChange,
) -> PlanPublic:
    """Mark an open goal achieved (coach's judgement) or dropped; a repeat changes nothing."""
    agency = principal.agency_id
    async with runtime.store.transaction() as conn:
        plan, version = await _plan(runtime, conn, principal, plan_id)
        goal = plan.goal(goal_id)
        if goal is None:
            raise NotFound(f"plan {plan_id} has no goal {goal_id}; see GET /plans/{plan_id}")
        if goal.status is request.status and goal.closed_on == request.on_date:
            return await _public(conn, agency, plan_id)
        await _ensure_may_coach(runtime, conn, principal, plan.practitioner_id)
        command = ChangeGoalStatus(goal_id=goal_id, status=request.status, on_date=request.on_date)
        changed = change_goal_status(plan, command, today=practice_today())
        achieved = goal_id if request.status is GoalStatus.ACHIEVED else None
        await _append_plan_events(runtime, conn, principal, plan, version, changed, achieved)
        return await _public(conn, agency, plan_id)


async def read_one(runtime: Runtime, principal: Principal, plan_id: uuid.UUID) -> PlanPublic:
    async with runtime.pool.acquire() as conn:
        plan = await _public(conn, principal.agency_id, plan_id)
    if own_records_only(principal) not in (None, plan.practitioner_id):
        raise _not_found(plan_id)
    return plan


async def read_many(
    runtime: Runtime, principal: Principal, page: PageRequest, *, practitioner_id: str | None
) -> Page[PlanPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_plans(
            conn,
            principal.agency_id,
            page,
            practitioner_id=practitioner_filter(principal, practitioner_id),
        )


async def _append_plan_events(
    runtime: Runtime,
    conn: Connection,
    principal: Principal,
    before: CoachingPlan,
    version: int,
    after: CoachingPlan,
    achieved: str | None,
) -> None:
    """`goal_achieved` when a goal was reached, else the plan as it now stands."""
    subject = after.practitioner_id
    goal = after.goal(achieved) if achieved else None
    if goal is not None:
        assert goal.closed_on is not None
        event = pending(goal_achieved(after, goal), principal, subject=subject, on=goal.closed_on)
    else:
        event = pending(plan_set(after), principal, subject=subject, on=practice_today())
    await runtime.store.append(
        conn, plan_stream(principal.agency_id, before.practitioner_id), [event], version
    )
    await update_plan_goals(conn, principal.agency_id, after)


async def _plan(
    runtime: Runtime, conn: Connection, principal: Principal, plan_id: uuid.UUID
) -> tuple[CoachingPlan, int]:
    """The plan as its stream leaves it, and the version to append against."""
    stored = await _public(conn, principal.agency_id, plan_id)
    loaded = await load_plan(runtime.store, conn, principal.agency_id, stored.practitioner_id)
    assert loaded.state is not None, "a projected plan has a stream"
    return loaded.state, loaded.version


async def _ensure_may_coach(
    runtime: Runtime, conn: Connection, principal: Principal, practitioner_id: str
) -> None:
    history = await load_assignments(runtime.store, conn, principal.agency_id, practitioner_id)
    ensure_may_coach(principal, history.state, practitioner_id, practice_today())


async def _public(conn: Connection, agency_id: str, plan_id: uuid.UUID) -> PlanPublic:
    stored = await find_plan(conn, agency_id, plan_id)
    if stored is None:
        raise _not_found(plan_id)
    return stored.public


def _set_goal(goal: GoalCreate) -> SetGoal:
    return SetGoal(
        goal_id=str(record_id(goal.id)),
        competency=goal.competency.value,
        target_level=goal.target_level.value,
        description=goal.description,
    )


def _not_found(plan_id: uuid.UUID) -> NotFound:
    return NotFound(f"no coaching plan {plan_id} in this agency; list them at /plans")
