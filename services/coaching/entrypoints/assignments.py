"""HTTP routes of coach assignments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.coaching.handlers import assignments
from services.coaching.models.assignments import (
    AssignmentCreate,
    AssignmentEnd,
    AssignmentPublic,
    HandOverCreate,
    HandOverPublic,
)
from services.coaching.models.common import PersonQuery, PracticeDate
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.pagination import Page, PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/assignments", tags=["assignments"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Assign a coach to a practitioner for a period",
    responses=repeat_response(AssignmentPublic),
)
async def assign_coach(
    body: AssignmentCreate,
    principal: Annotated[Principal, allow("assignments.assign")],
    runtime: RuntimeDep,
    response: Response,
) -> AssignmentPublic:
    return answered(await assignments.assign(runtime, principal, body), response)


@router.post(
    "/hand-over",
    status_code=201,
    summary="Hand a practitioner over to a new coach (ends the current one the day before)",
    responses=repeat_response(HandOverPublic),
)
async def hand_over(
    body: HandOverCreate,
    principal: Annotated[Principal, allow("assignments.hand_over")],
    runtime: RuntimeDep,
    response: Response,
) -> HandOverPublic:
    return answered(await assignments.hand_over_practitioner(runtime, principal, body), response)


@router.post("/{assignment_id}/end", summary="End a running assignment on its last day")
async def end_assignment(
    assignment_id: uuid.UUID,
    body: AssignmentEnd,
    principal: Annotated[Principal, allow("assignments.end")],
    runtime: RuntimeDep,
) -> AssignmentPublic:
    return await assignments.end(runtime, principal, assignment_id, body)


@router.get("", summary="Assignments, newest period first (history included)")
async def list_assignments(
    principal: Annotated[Principal, allow("assignments.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    practitioner_id: PersonQuery = None,
    coach_id: PersonQuery = None,
    active_on: Annotated[
        PracticeDate | None, Query(description="only those covering this day")
    ] = None,
) -> Page[AssignmentPublic]:
    return await assignments.read_many(
        runtime,
        principal,
        page,
        practitioner_id=practitioner_id,
        coach_id=coach_id,
        active_on=active_on,
    )


@router.get("/{assignment_id}", summary="One assignment")
async def get_assignment(
    assignment_id: uuid.UUID,
    principal: Annotated[Principal, allow("assignments.read")],
    runtime: RuntimeDep,
) -> AssignmentPublic:
    return await assignments.read_one(runtime, principal, assignment_id)
