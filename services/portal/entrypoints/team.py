"""Page 2, my team: who needs me this week (learning, coaching cadence, fidelity, drift)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.portal.domain.team import CONCEPT_STATUSES
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, PageFor, render, today
from services.portal.handlers.team import load_team

router = APIRouter(tags=["team"])


@router.get("/team")
async def my_team(
    request: Request, viewer: Annotated[Viewer, Depends(PageFor("team"))], apis: ApisDep
) -> Response:
    data = await load_team(apis, viewer, today())
    return render(request, "team.html", {**data, "concept_statuses": CONCEPT_STATUSES})
