"""HTTP: reference meetings with gold standards, calibration attempts, observer status."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.fidelity.entrypoints.parameters import KeyQuery, PersonPath
from services.fidelity.handlers.calibration import create_reference, record_attempt
from services.fidelity.handlers.calibration_reads import (
    attempt_page,
    calibration_status,
    get_attempt,
    get_gold_standard,
    get_reference,
    reference_page,
)
from services.fidelity.models.calibration import (
    AttemptCreate,
    AttemptPublic,
    CalibrationStatusOut,
    GoldStandard,
    ReferenceCreate,
    ReferencePublic,
)
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import CalendarDate
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(tags=["calibration"], responses=PROBLEM_RESPONSES)
REPEAT: dict[int | str, dict[str, Any]] = {
    200: {"description": "a faithful repeat: the stored record"}
}


@router.post(
    "/calibration/references",
    status_code=201,
    summary="Create a reference meeting with its gold-standard ratings (admin)",
    responses=REPEAT,
)
async def create_calibration_reference(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.references.create")],
    body: ReferenceCreate,
    response: Response,
) -> ReferencePublic:
    reference, created = await create_reference(runtime, principal, body)
    response.status_code = 201 if created else 200
    return reference


@router.get("/calibration/references", summary="List reference meetings")
async def list_calibration_references(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.references.read")],
    page: Annotated[PageRequest, Depends(page_request)],
    instrument_key: KeyQuery = None,
) -> Page[ReferencePublic]:
    return await reference_page(runtime, principal.agency_id, instrument_key, page)


@router.get("/calibration/references/{reference_id}", summary="One reference meeting")
async def read_calibration_reference(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.references.read")],
    reference_id: uuid.UUID,
) -> ReferencePublic:
    return await get_reference(runtime, principal.agency_id, reference_id)


@router.get(
    "/calibration/references/{reference_id}/gold-standard",
    summary="The gold-standard ratings of a reference meeting (admin, auditor)",
)
async def read_gold_standard(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.gold_standard.read")],
    reference_id: uuid.UUID,
) -> GoldStandard:
    return await get_gold_standard(runtime, principal.agency_id, reference_id)


@router.post(
    "/calibration/attempts",
    status_code=201,
    summary="Score an observer's ratings of a reference meeting against its gold standard",
    description=(
        "Cohen's kappa against the gold standard at or above the calibration bar (default "
        "0.70) makes the observer calibrated for 12 months from `attempted_on` "
        "(observer_calibrated event); below it, observer_calibration_failed. A failed "
        "attempt does not cancel an earlier pass that is still valid."
    ),
    responses=REPEAT,
)
async def create_calibration_attempt(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.attempt")],
    body: AttemptCreate,
    response: Response,
) -> AttemptPublic:
    attempt, created = await record_attempt(runtime, principal, body)
    response.status_code = 201 if created else 200
    return attempt


@router.get("/calibration/attempts/{attempt_id}", summary="One calibration attempt")
async def read_calibration_attempt(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.read")],
    attempt_id: uuid.UUID,
) -> AttemptPublic:
    return await get_attempt(runtime, principal.agency_id, attempt_id)


@router.get(
    "/observers/{observer_id}/calibration",
    summary="Whether an observer was calibrated on a date (today by default), per instrument",
    description=(
        "Calibration is per instrument family: a pass on a reference meeting of one "
        "instrument calibrates the observer on every version of that instrument's key, "
        "for 12 months, and on no other instrument."
    ),
)
async def read_calibration_status(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.read")],
    observer_id: PersonPath,
    on: Annotated[CalendarDate | None, Query(description="the practice date to ask about")] = None,
    instrument_key: KeyQuery = None,
) -> CalibrationStatusOut:
    return await calibration_status(runtime, principal.agency_id, observer_id, on, instrument_key)


@router.get(
    "/observers/{observer_id}/calibration/attempts",
    summary="An observer's calibration history, latest first",
)
async def list_calibration_attempts(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("calibration.read")],
    observer_id: PersonPath,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[AttemptPublic]:
    return await attempt_page(runtime, principal.agency_id, observer_id, page)
