"""Enroll practitioners in the program and read enrollments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from services.learning.adapters import queries
from services.learning.commands import EnrollPractitioner, PractitionerId
from services.learning.context import LearningDep
from services.learning.entrypoints.http import CREATE_RESPONSES, Paging, created_or_retried
from services.learning.handlers import enroll_practitioner
from services.learning.permissions import scope_to_own_records, sees_only_own_records
from services.learning.records import EnrollmentRecord
from shared.auth import Principal, allow
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES, NotFound

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
    learning: LearningDep,
    command: EnrollPractitioner,
    response: Response,
) -> EnrollmentRecord:
    async with learning.store.transaction() as conn:
        result = await enroll_practitioner(
            learning, conn, principal.agency_id, principal.actor, command
        )
    return created_or_retried(result, response)


@router.get("", summary="Enrollments, by practitioner id", response_model=Page[EnrollmentRecord])
async def list_enrollments(
    principal: Annotated[Principal, allow("enrollments.read")],
    learning: LearningDep,
    page: Paging,
) -> Page[EnrollmentRecord]:
    if sees_only_own_records(principal):
        own = await _find(learning, principal.agency_id, principal.subject)
        return Page[EnrollmentRecord](items=[own] if own else [])
    async with learning.pool.acquire() as conn:
        return await queries.list_enrollments(conn, principal.agency_id, page)


@router.get(
    "/{practitioner_id}", summary="One practitioner's enrollment", response_model=EnrollmentRecord
)
async def get_enrollment(
    principal: Annotated[Principal, allow("enrollments.read")],
    learning: LearningDep,
    practitioner_id: PractitionerId,
) -> EnrollmentRecord:
    scope_to_own_records(principal, practitioner_id)
    found = await _find(learning, principal.agency_id, practitioner_id)
    if found is None:
        raise NotFound(f"practitioner {practitioner_id!r} is not enrolled in this agency")
    return found


async def _find(
    learning: LearningDep, agency_id: str, practitioner_id: str
) -> EnrollmentRecord | None:
    async with learning.pool.acquire() as conn:
        return await queries.find_enrollment(conn, agency_id, practitioner_id)
