"""HTTP: a practitioner's fidelity trend and the drift signals coaches act on."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.fidelity.adapters.drift_rows import DriftFilter
from services.fidelity.domain.drift import DriftKind
from services.fidelity.entrypoints.parameters import KeyQuery, PersonPath, PersonQuery
from services.fidelity.handlers.trends import (
    drift_signal_page,
    get_drift_signal,
    practitioner_trend,
)
from services.fidelity.models.fields import NO_CONTROL_CHARACTERS
from services.fidelity.models.trends import DriftSignalOut, FidelityTrendOut
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import CalendarDate
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(tags=["drift"], responses=PROBLEM_RESPONSES)


@router.get(
    "/practitioners/{practitioner_id}/fidelity-trend",
    summary="A practitioner's fidelity over time, with rolling means and drift signals",
    description=(
        "One point per counted observation (first observations of a meeting by observers "
        "calibrated on its date), oldest first: the total and each domain, as scored and "
        "as a rolling mean over the last `window` observations, with their bands."
    ),
)
async def read_fidelity_trend(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("trends.read")],
    practitioner_id: PersonPath,
    instrument_key: Annotated[
        str, Query(max_length=80, pattern=NO_CONTROL_CHARACTERS)
    ] = "team-meeting-observation",
    window: Annotated[
        int | None, Query(ge=1, le=50, description="rolling window; default: the setting")
    ] = None,
) -> FidelityTrendOut:
    return await practitioner_trend(runtime, principal, practitioner_id, instrument_key, window)


async def drift_filter(
    practitioner_id: PersonQuery = None,
    instrument_key: KeyQuery = None,
    kind: Annotated[DriftKind | None, Query()] = None,
    detected_from: Annotated[CalendarDate | None, Query()] = None,
    detected_to: Annotated[CalendarDate | None, Query()] = None,
) -> DriftFilter:
    return DriftFilter(
        practitioner_id=practitioner_id,
        instrument_key=instrument_key,
        kind=kind.value if kind else None,
        detected_from=detected_from,
        detected_to=detected_to,
    )


@router.get("/drift-signals", summary="Drift signals, latest first")
async def list_drift_signals(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("trends.read")],
    where: Annotated[DriftFilter, Depends(drift_filter)],
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[DriftSignalOut]:
    return await drift_signal_page(runtime, principal, where, page)


@router.get("/drift-signals/{drift_id}", summary="One drift signal (its id is the event id)")
async def read_drift_signal(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow("trends.read")],
    drift_id: uuid.UUID,
) -> DriftSignalOut:
    return await get_drift_signal(runtime, principal, drift_id)
