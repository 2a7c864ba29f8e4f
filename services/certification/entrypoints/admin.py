"""Operations routes: rebuild the agency's projections from the log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.certification.entrypoints.dependencies import Today
from services.certification.handlers.rebuild import rebuild_agency
from services.certification.models.operations import RebuildPublic
from shared.auth import Principal, allow
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/projections", tags=["operations"], responses=PROBLEM_RESPONSES)


@router.post(
    "/rebuild",
    summary="Drop the agency's projections and replay the log (admin); reports the replay",
)
async def rebuild(
    principal: Annotated[Principal, allow("projections.rebuild")],
    runtime: RuntimeDep,
    today: Today,
) -> RebuildPublic:
    report = await rebuild_agency(runtime, principal.agency_id, today)
    return RebuildPublic(
        events_replayed=report.events_replayed,
        practitioners_evaluated=report.practitioners_evaluated,
        transitions_published=report.transitions_published,
        seconds=round(report.seconds, 4),
        events_per_second=round(report.events_per_second, 1),
    )
