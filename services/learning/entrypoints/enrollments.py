"""Enroll practitioners in the program and read enrollments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from services.learning.adapters import queries
from services.learning.entrypoints.http import CREATE_RESPONSES, Paging
from services.learning.handlers import enroll_practitioner
from services.learning.handlers.recorded import single_write
from services.learning.models.commands import EnrollPractitioner, PractitionerId
from services.learning.models.records import EnrollmentRecord
from services.learning.permissions import scope_to_own_records, sees_only_own_records
from shared.auth import Principal, allow
from shared.idempotency import answered
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/enrollments", tags=["enrollments"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Enroll a practitioner in the program (the date counts for tenure)",
    response_model=EnrollmentRecord,
    responses=CREATE_RESPONSES,
)
async def enroll(
    principal: Annotated[Principal, allow("enrollments.create")],
    runtime: RuntimeDep,
    command: EnrollPractitioner,
    response: Response,
) -> EnrollmentRecord:
    async with runtime.store.transaction() as conn, single_write(conn):
        result = await enroll_practitioner(
            runtime, conn, principal.agency_id, principal.actor, command
        )
    return answered(result, response)


@router.get("", summary="Enrollments, by practitioner id", response_model=Page[EnrollmentRecord])
async def list_enrollments(
    principal: Annotated[Principal, allow("enrollments.read")],
    runtime: RuntimeDep,
    page: Paging,
) -> Page[EnrollmentRecord]:
    if sees_only_own_records(principal):
        own = await _find(runtime, principal.agency_id, principal.subject)
        return Page[EnrollmentRecord](items=[own] if own else [])
    async with runtime.pool.acquire() as conn:
        return await queries.list_enrollments(conn, principal.agency_id, page)


@router.get(
    "/{practitioner_id}", summary="One practitioner's enrollment", response_model=EnrollmentRecord
)
async def get_enrollment(
    principal: Annotated[Principal, allow("enrollments.read")],
    runtime: RuntimeDep,
    practitioner_id: PractitionerId,
) -> EnrollmentRecord:
    scope_to_own_records(principal, practitioner_id)
    found = await _find(runtime, principal.agency_id, practitioner_id)
    if found is None:
        raise NotFound(f"practitioner {practitioner_id!r} is not enrolled in this agency")
    return found


async def _find(
    runtime: RuntimeDep, agency_id: str, practitioner_id: str
) -> EnrollmentRecord | None:
    async with runtime.pool.acquire() as conn:
        return await queries.find_enrollment(conn, agency_id, practitioner_id)
