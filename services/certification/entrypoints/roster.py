"""Roster routes: register practitioners, list them by status, read one."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Query, Response, status

from services.certification.adapters import listing
from services.certification.domain.transitions import CertificationStatus
from services.certification.entrypoints.dependencies import (
    Today,
    refuse_after_today,
)
from services.certification.handlers.roster import RegisterPractitioner, register_practitioner
from services.certification.models.roster import (
    LevelStatusPublic,
    PractitionerCreate,
    PractitionerPublic,
)
from services.certification.permissions import ensure_may_read
from shared.auth import Principal, allow
from shared.identifiers import PersonPath
from shared.pagination import Page, PageRequest, build_page, page_request
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/practitioners", tags=["roster"], responses=PROBLEM_RESPONSES)


def practitioner_public(row: asyncpg.Record) -> PractitionerPublic:
    return PractitionerPublic(
        practitioner_id=row["practitioner_id"],
        role=row["role"],
        program_start=row["program_start"],
        coach_id=row["coach_id"],
        supervisor_id=row["supervisor_id"],
        levels=[LevelStatusPublic.model_validate(level) for level in row["levels"]],
        evaluated_as_of=row["as_of"],
        next_change_on=row["next_change_on"],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a practitioner (201; 200 for an identical repeat)",
)
async def register(
    body: PractitionerCreate,
    principal: Annotated[Principal, allow("practitioners.register")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PractitionerPublic:
    refuse_after_today(body.program_start, "program_start", today)
    command = RegisterPractitioner(
        practitioner_id=body.practitioner_id,
        role=body.role,
        program_start=body.program_start,
        coach_id=body.coach_id,
        supervisor_id=body.supervisor_id,
    )
    _, created = await register_practitioner(runtime, principal, command, today)
    async with runtime.pool.acquire() as conn:
        row = await listing.roster_row(conn, principal.agency_id, body.practitioner_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    assert row is not None
    return practitioner_public(row)


@router.get("", summary="The agency's roster, optionally filtered by status and level")
async def list_practitioners(
    principal: Annotated[Principal, allow("practitioners.list")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    status_filter: Annotated[
        CertificationStatus | None,
        Query(alias="status", description="only practitioners with a level in this status"),
    ] = None,
    level: Annotated[
        str | None, Query(description="the level `status` applies to (any level if left out)")
    ] = None,
) -> Page[PractitionerPublic]:
    async with runtime.pool.acquire() as conn:
        rows = await listing.roster_page(
            conn,
            principal.agency_id,
            page,
            status_filter.value if status_filter else None,
            level,
        )
    return build_page(
        [practitioner_public(row) for row in rows],
        page.limit,
        lambda item: [item.practitioner_id],
    )


@router.get("/{practitioner_id}", summary="One practitioner's roster entry and level statuses")
async def read_practitioner(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("practitioners.read")],
    runtime: RuntimeDep,
) -> PractitionerPublic:
    ensure_may_read(principal, practitioner_id)
    async with runtime.pool.acquire() as conn:
        row = await listing.roster_row(conn, principal.agency_id, practitioner_id)
    if row is None:
        raise NotFound(f"no practitioner {practitioner_id} on this agency's roster")
    return practitioner_public(row)
