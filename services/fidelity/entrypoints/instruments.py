"""HTTP: instruments as versioned data — list, read a version, publish a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.fidelity.domain.instruments import InstrumentKind
from services.fidelity.entrypoints.parameters import KeyPath, KeyQuery, VersionPath
from services.fidelity.handlers.instruments import (
    get_instrument,
    instrument_page,
    publish_instrument,
)
from services.fidelity.models.instruments import (
    InstrumentDefinition,
    InstrumentPublic,
    InstrumentSummary,
)
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/instruments", tags=["instruments"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List the instrument versions this agency sees")
async def list_instrument_versions(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("instruments.read")],
    page: Annotated[PageRequest, Depends(page_request)],
    key: KeyQuery = None,
    kind: Annotated[InstrumentKind | None, Query(description="only this kind")] = None,
) -> Page[InstrumentSummary]:
    return await instrument_page(
        runtime, principal.agency_id, key, kind.value if kind else None, page
    )


@router.get("/{key}", summary="The latest version of an instrument")
async def read_latest_instrument(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("instruments.read")],
    key: KeyPath,
) -> InstrumentPublic:
    return await get_instrument(runtime, principal.agency_id, key, None)


@router.get("/{key}/versions/{version}", summary="One version of an instrument")
async def read_instrument_version(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("instruments.read")],
    key: KeyPath,
    version: VersionPath,
) -> InstrumentPublic:
    return await get_instrument(runtime, principal.agency_id, key, version)


@router.post(
    "",
    status_code=201,
    summary="Publish a new instrument version for this agency (admin)",
    description=(
        "Versions are immutable: observations scored on an older version keep its "
        "definition and scores. The version must be greater than every version of the "
        "key this agency sees (the global seed versions included). Resending an "
        "identical version answers 200 with the stored one."
    ),
    responses={200: {"description": "a faithful repeat: the version already published"}},
)
async def publish_instrument_version(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("instruments.publish")],
    body: InstrumentDefinition,
    response: Response,
) -> InstrumentPublic:
    published, created = await publish_instrument(runtime, principal, body)
    response.status_code = 201 if created else 200
    return published
