"""HTTP: inter-rater reliability from co-observed meetings, per agency and observer pair."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.fidelity.adapters.comparison_rows import ComparisonFilter
from services.fidelity.entrypoints.parameters import (
    FromQuery,
    KeyQuery,
    PersonPath,
    PersonQuery,
    ToQuery,
)
from services.fidelity.handlers.reliability import agency_reliability, observer_pair_reliability
from services.fidelity.models.reliability import AgencyReliability, ObserverPairReliability
from shared.auth import Principal, allow
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/reliability", tags=["reliability"], responses=PROBLEM_RESPONSES)


async def comparison_filter(
    instrument_key: KeyQuery = None,
    meeting_from: FromQuery = None,
    meeting_to: ToQuery = None,
    observer_id: PersonQuery = None,
) -> ComparisonFilter:
    return ComparisonFilter(
        instrument_key=instrument_key,
        meeting_from=meeting_from,
        meeting_to=meeting_to,
        observer_id=observer_id,
    )


@router.get(
    "",
    summary="The agency's inter-rater reliability, overall and per observer pair",
    description=(
        "Percent agreement and Cohen's kappa over every co-observed meeting: pooled over "
        "all paired indicator ratings, and the mean of per-meeting kappas. For reference, "
        "the Team Observation Measure reported a pooled kappa of 0.733."
    ),
)
async def read_agency_reliability(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("reliability.read")],
    where: Annotated[ComparisonFilter, Depends(comparison_filter)],
) -> AgencyReliability:
    return await agency_reliability(runtime, principal.agency_id, where)


@router.get(
    "/observer-pairs/{observer_id}/{other_observer_id}",
    summary="Reliability of one pair of observers, with each meeting they both scored",
)
async def read_observer_pair_reliability(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("reliability.read")],
    observer_id: PersonPath,
    other_observer_id: PersonPath,
    instrument_key: KeyQuery = None,
    meeting_from: FromQuery = None,
    meeting_to: ToQuery = None,
) -> ObserverPairReliability:
    where = ComparisonFilter(
        instrument_key=instrument_key,
        meeting_from=meeting_from,
        meeting_to=meeting_to,
        observer_id=observer_id,
        other_observer_id=other_observer_id,
    )
    return await observer_pair_reliability(runtime, principal.agency_id, where)
