"""Operations routes: rebuild the agency's projections from the log; the dead letters.

Upstream events certification cannot take as evidence (a payload breaking the event
contract) are never dropped: each is kept in `rejected_evidence` with the reason, and
listed here for the agency's admin and auditor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.certification.entrypoints.dependencies import Today
from services.certification.handlers.rebuild import rebuild_agency
from services.certification.models.operations import RebuildPublic
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/projections", tags=["operations"], responses=PROBLEM_RESPONSES)
dead_letters = APIRouter(
    prefix="/rejected-evidence", tags=["operations"], responses=PROBLEM_RESPONSES
)


class RejectedEvidencePublic(BaseModel):
    event_id: str
    source_type: str = Field(description="the CloudEvents type of the upstream event")
    error: str = Field(description="why certification could not take it as evidence")
    payload: dict[str, Any] = Field(description="the upstream event as it arrived")
    rejected_at: datetime


@dead_letters.get(
    "",
    summary="Upstream events the agency sent that certification could not take (dead letters)",
)
async def list_rejected_evidence(
    principal: Annotated[Principal, allow("rejected_evidence.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[RejectedEvidencePublic]:
    after = keyset(page, "datetime", "text")
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT event_id, source_type, error, payload, rejected_at FROM rejected_evidence
            WHERE agency_id = $1 AND ($2::timestamptz IS NULL OR (rejected_at, event_id) > ($2, $3))
            ORDER BY rejected_at, event_id LIMIT $4
            """,
            principal.agency_id,
            after[0] if after else None,
            after[1] if after else "",
            page.limit + 1,
        )
    return build_page(
        [RejectedEvidencePublic(**dict(row)) for row in rows],
        page.limit,
        lambda r: [r.rejected_at.isoformat(), r.event_id],
    )


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
