"""Roster lifecycle routes: change a practitioner's details, record a leaving, a return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from services.certification.entrypoints.dependencies import Today, refuse_after_today
from services.certification.entrypoints.roster import practitioner_detail
from services.certification.handlers.roster_lifecycle import (
    ChangeDetails,
    LifecycleCommand,
    RecordLeaving,
    RecordReturn,
    record_lifecycle,
)
from services.certification.models.roster_lifecycle import (
    DetailsChangeCreate,
    LeavingCreate,
    PractitionerDetailPublic,
    ReturnCreate,
)
from shared.auth import Principal, allow
from shared.idempotency import repeat_response
from shared.identifiers import PersonPath
from shared.problems import PROBLEM_RESPONSES
from shared.service import Runtime, RuntimeDep

router = APIRouter(
    prefix="/practitioners/{practitioner_id}",
    tags=["roster"],
    responses=PROBLEM_RESPONSES | repeat_response(PractitionerDetailPublic),
)


async def _record(
    runtime: Runtime,
    principal: Principal,
    command: LifecycleCommand,
    body: DetailsChangeCreate | LeavingCreate | ReturnCreate,
    today: Today,
    response: Response,
) -> PractitionerDetailPublic:
    refuse_after_today(body.effective_on, "effective_on", today)
    if isinstance(body, DetailsChangeCreate) and body.program_start is not None:
        refuse_after_today(body.program_start, "program_start", today)
    created = await record_lifecycle(runtime, principal, command, body.id, today)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return await practitioner_detail(runtime, principal.agency_id, command.practitioner_id)


@router.post(
    "/changes",
    status_code=status.HTTP_201_CREATED,
    summary="Change roster details from a date on (201; 200 for a repeat of the same id)",
)
async def change_details(
    practitioner_id: PersonPath,
    body: DetailsChangeCreate,
    principal: Annotated[Principal, allow("practitioners.change")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PractitionerDetailPublic:
    command = ChangeDetails(practitioner_id, body.effective_on, body.requested())
    return await _record(runtime, principal, command, body, today, response)


@router.post(
    "/leaving",
    status_code=status.HTTP_201_CREATED,
    summary="Record that the practitioner left the roster on a date",
)
async def record_leaving(
    practitioner_id: PersonPath,
    body: LeavingCreate,
    principal: Annotated[Principal, allow("practitioners.leave")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PractitionerDetailPublic:
    command = RecordLeaving(practitioner_id, body.effective_on, body.reason)
    return await _record(runtime, principal, command, body, today, response)


@router.post(
    "/return",
    status_code=status.HTTP_201_CREATED,
    summary="Record that a practitioner who left came back on a date",
)
async def record_return(
    practitioner_id: PersonPath,
    body: ReturnCreate,
    principal: Annotated[Principal, allow("practitioners.return")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PractitionerDetailPublic:
    command = RecordReturn(practitioner_id, body.effective_on)
    return await _record(runtime, principal, command, body, today, response)
