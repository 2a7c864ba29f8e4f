"""HTTP: record observations (scored, compared, calibrated) and read them back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.fidelity.adapters.observation_rows import ObservationFilter
from services.fidelity.entrypoints.parameters import (
    FromQuery,
    KeyQuery,
    PersonQuery,
    ToQuery,
    VersionQuery,
)
from services.fidelity.handlers.observation_reads import get_observation, list_observation_page
from services.fidelity.handlers.observations import (
    new_observation_json,
    observation_public,
    record_observation,
)
from services.fidelity.models.observations import ObservationCreate, ObservationPublic
from shared.auth import Principal, allow
from shared.lean_write import answered_lean_write
from shared.pagination import Page, PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep, get_runtime

router = APIRouter(prefix="/observations", tags=["observations"], responses=PROBLEM_RESPONSES)


async def observation_filter(
    practitioner_id: PersonQuery = None,
    observer_id: PersonQuery = None,
    instrument_key: KeyQuery = None,
    instrument_version: VersionQuery = None,
    meeting_from: FromQuery = None,
    meeting_to: ToQuery = None,
) -> ObservationFilter:
    return ObservationFilter(
        practitioner_id=practitioner_id,
        observer_id=observer_id,
        instrument_key=instrument_key,
        instrument_version=instrument_version,
        meeting_from=meeting_from,
        meeting_to=meeting_to,
    )


@router.post(
    "",
    status_code=201,
    summary="Record a scored observation of a meeting",
    description=(
        "Every indicator of the instrument version must be rated exactly once; an invalid "
        "observation is rejected whole (422 naming the indicator) and nothing is stored. "
        "The reply carries item, domain and total scores, the band, whether the observer "
        "was calibrated on the meeting date and, for a co-observation, the agreement "
        "(percent and Cohen's kappa) with the first observer. Resending the same `id` with "
        "the same content answers 200 with the stored observation."
    ),
    responses={200: {"description": "a faithful repeat: the stored observation"}},
    response_model=ObservationPublic,
)
@answered_lean_write(stand_ins={get_runtime: get_runtime})
async def create_observation(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("observations.record")],
    body: ObservationCreate,
    response: Response,
) -> ObservationPublic | Response:
    observation, created = await record_observation(runtime, principal, body)
    if created:  # the reply of the row just built, as the model would answer it
        return Response(new_observation_json(observation), 201, media_type="application/json")
    response.status_code = 200
    return observation_public(observation)


@router.get("", summary="List observations, newest meeting first")
async def list_observations(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("observations.read")],
    where: Annotated[ObservationFilter, Depends(observation_filter)],
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[ObservationPublic]:
    return await list_observation_page(runtime, principal, where, page)


@router.get("/{observation_id}", summary="One observation with its scores")
async def read_observation(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("observations.read")],
    observation_id: uuid.UUID,
) -> ObservationPublic:
    return await get_observation(runtime, principal, observation_id)
