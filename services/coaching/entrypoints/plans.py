"""HTTP routes of coaching plans and goals."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.coaching.handlers import plans
from services.coaching.models.common import PersonPath, PersonQuery
from services.coaching.models.plans import GoalCreate, GoalStatusChange, PlanCreate, PlanPublic
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.pagination import Page, PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/plans", tags=["plans"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Set a practitioner's coaching plan (one per practitioner)",
    responses=repeat_response(PlanPublic),
)
async def create_plan(
    body: PlanCreate,
    principal: Annotated[Principal, allow("plans.write")],
    runtime: RuntimeDep,
    response: Response,
) -> PlanPublic:
    return answered(await plans.create_plan(runtime, principal, body), response)


@router.post(
    "/{plan_id}/goals",
    status_code=201,
    summary="Add a goal to a plan",
    responses=repeat_response(PlanPublic),
)
async def add_goal(
    plan_id: uuid.UUID,
    body: GoalCreate,
    principal: Annotated[Principal, allow("plans.write")],
    runtime: RuntimeDep,
    response: Response,
) -> PlanPublic:
    return answered(await plans.add_goal(runtime, principal, plan_id, body), response)


@router.post("/{plan_id}/goals/{goal_id}/status", summary="Close an open goal by hand")
async def close_goal(
    plan_id: uuid.UUID,
    goal_id: PersonPath,
    body: GoalStatusChange,
    principal: Annotated[Principal, allow("plans.write")],
    runtime: RuntimeDep,
) -> PlanPublic:
    return await plans.close_goal(runtime, principal, plan_id, goal_id, body)


@router.get("", summary="Coaching plans, by practitioner")
async def list_plans(
    principal: Annotated[Principal, allow("plans.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    practitioner_id: PersonQuery = None,
) -> Page[PlanPublic]:
    return await plans.read_many(runtime, principal, page, practitioner_id=practitioner_id)


@router.get("/{plan_id}", summary="One coaching plan with its goals")
async def get_plan(
    plan_id: uuid.UUID,
    principal: Annotated[Principal, allow("plans.read")],
    runtime: RuntimeDep,
) -> PlanPublic:
    return await plans.read_one(runtime, principal, plan_id)
