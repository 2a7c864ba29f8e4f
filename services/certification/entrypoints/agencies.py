"""Agency routes: a platform operator onboards agencies and lists them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from services.certification.handlers.agencies import agency_list, get_agency, register_agency
from services.certification.models.agencies import (
    AgencyCreate,
    AgencyPublic,
    AgencyRegisteredPublic,
)
from shared.auth import Principal, allow
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/agencies", tags=["agencies"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register an agency with its first admin (platform operator; 200 for a repeat)",
    description=(
        "The agency record and its first admin. `miiwrap agency create` calls this, then "
        "issues the agency's LMS credential (learning) and its agency-app NATS user."
    ),
    responses={200: {"model": AgencyRegisteredPublic, "description": "an identical repeat"}},
)
async def create_agency(
    body: AgencyCreate,
    principal: Annotated[Principal, allow("agencies.create")],
    runtime: RuntimeDep,
    response: Response,
) -> AgencyRegisteredPublic:
    agency, created = await register_agency(runtime, principal, body)
    response.status_code = 201 if created else 200
    return agency


@router.get("", summary="The agencies on the platform (platform operator)")
async def list_all_agencies(
    principal: Annotated[Principal, allow("agencies.read")], runtime: RuntimeDep
) -> list[AgencyPublic]:
    return await agency_list(runtime)


@router.get("/{agency_id}", summary="One agency (platform operator)")
async def read_agency(
    agency_id: Annotated[str, Path(min_length=1, max_length=63)],
    principal: Annotated[Principal, allow("agencies.read")],
    runtime: RuntimeDep,
) -> AgencyPublic:
    return await get_agency(runtime, agency_id)
