"""HTTP routes of coaching sessions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.coaching.handlers import sessions
from services.coaching.models.common import PersonQuery
from services.coaching.models.sessions import SessionCreate, SessionPublic
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.lean_write import answered_lean_write
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import CalendarDate
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep, get_runtime

router = APIRouter(prefix="/sessions", tags=["sessions"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Log a coaching session (the caller is the coach)",
    responses=repeat_response(SessionPublic),
)
@answered_lean_write(stand_ins={get_runtime: get_runtime})
async def log_session(
    body: SessionCreate,
    principal: Annotated[Principal, allow("sessions.log")],
    runtime: RuntimeDep,
    response: Response,
) -> SessionPublic:
    return answered(await sessions.log(runtime, principal, body), response)


@router.get("", summary="Coaching sessions, latest first")
async def list_sessions(
    principal: Annotated[Principal, allow("sessions.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    practitioner_id: PersonQuery = None,
    coach_id: PersonQuery = None,
    held_from: CalendarDate | None = None,
    held_to: CalendarDate | None = None,
) -> Page[SessionPublic]:
    return await sessions.read_many(
        runtime,
        principal,
        page,
        practitioner_id=practitioner_id,
        coach_id=coach_id,
        held_from=held_from,
        held_to=held_to,
    )


@router.get("/{session_id}", summary="One coaching session")
async def get_session(
    session_id: uuid.UUID,
    principal: Annotated[Principal, allow("sessions.read")],
    runtime: RuntimeDep,
) -> SessionPublic:
    return await sessions.read_one(runtime, principal, session_id)
