"""HTTP routes of the learning-culture records: peer-learning sessions and reflections."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.coaching.handlers import culture
from services.coaching.models.common import PersonQuery
from services.coaching.models.culture import (
    PeerSessionCreate,
    PeerSessionPublic,
    ReflectionCreate,
    ReflectionPublic,
)
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import CalendarDate
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

peer_router = APIRouter(
    prefix="/peer-sessions", tags=["peer learning"], responses=PROBLEM_RESPONSES
)
reflection_router = APIRouter(
    prefix="/reflections", tags=["reflections"], responses=PROBLEM_RESPONSES
)


@peer_router.post(
    "",
    status_code=201,
    summary="Record a peer-learning / community-of-practice session",
    responses=repeat_response(PeerSessionPublic),
)
async def record_peer_session(
    body: PeerSessionCreate,
    principal: Annotated[Principal, allow("peer_sessions.record")],
    runtime: RuntimeDep,
    response: Response,
) -> PeerSessionPublic:
    return answered(await culture.record_peer_learning(runtime, principal, body), response)


@peer_router.get("", summary="Peer-learning sessions, latest first")
async def list_peer_sessions(
    principal: Annotated[Principal, allow("peer_sessions.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    attended_by: PersonQuery = None,
    held_from: CalendarDate | None = None,
    held_to: CalendarDate | None = None,
) -> Page[PeerSessionPublic]:
    return await culture.read_peer_sessions(
        runtime, principal, page, attended_by=attended_by, held_from=held_from, held_to=held_to
    )


@peer_router.get("/{session_id}", summary="One peer-learning session")
async def get_peer_session(
    session_id: uuid.UUID,
    principal: Annotated[Principal, allow("peer_sessions.read")],
    runtime: RuntimeDep,
) -> PeerSessionPublic:
    return await culture.read_peer_session(runtime, principal, session_id)


@reflection_router.post(
    "",
    status_code=201,
    summary="Write a reflection entry (the caller is the author)",
    responses=repeat_response(ReflectionPublic),
)
async def write_reflection(
    body: ReflectionCreate,
    principal: Annotated[Principal, allow("reflections.write")],
    runtime: RuntimeDep,
    response: Response,
) -> ReflectionPublic:
    return answered(await culture.write_reflection(runtime, principal, body), response)


@reflection_router.get(
    "",
    summary="Reflection entries, latest first; text only for its author, their coach, admins",
)
async def list_reflections(
    principal: Annotated[Principal, allow("reflections.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    practitioner_id: PersonQuery = None,
    written_from: CalendarDate | None = None,
    written_to: CalendarDate | None = None,
) -> Page[ReflectionPublic]:
    return await culture.read_reflections(
        runtime,
        principal,
        page,
        practitioner_id=practitioner_id,
        written_from=written_from,
        written_to=written_to,
    )


@reflection_router.get("/{reflection_id}", summary="One reflection entry")
async def get_reflection(
    reflection_id: uuid.UUID,
    principal: Annotated[Principal, allow("reflections.read")],
    runtime: RuntimeDep,
) -> ReflectionPublic:
    return await culture.read_reflection(runtime, principal, reflection_id)
