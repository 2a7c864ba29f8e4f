"""HTTP routes of supervisors' teams, the roster, and the learning-culture views."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.coaching.handlers import indicators, teams
from services.coaching.handlers.recording import practice_today
from services.coaching.models.common import PersonPath, PracticeDate
from services.coaching.models.culture import RosterMemberPublic, TeamPublic, TeamSet
from services.coaching.models.indicators import CultureIndicatorsPublic
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import refuse_future
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

team_router = APIRouter(tags=["teams and roster"], responses=PROBLEM_RESPONSES)
culture_router = APIRouter(
    prefix="/culture", tags=["learning culture"], responses=PROBLEM_RESPONSES
)

AsOf = Annotated[PracticeDate | None, Query(description="the day to compute as of; default today")]


@team_router.put(
    "/teams/{supervisor_id}",
    status_code=201,
    summary="Set the practitioners a supervisor leads (replaces the team)",
    responses=repeat_response(TeamPublic),
)
async def set_team(
    supervisor_id: PersonPath,
    body: TeamSet,
    principal: Annotated[Principal, allow("teams.set")],
    runtime: RuntimeDep,
    response: Response,
) -> TeamPublic:
    recorded = await teams.set_team(runtime, principal, supervisor_id, body.practitioner_ids)
    return answered(recorded, response)


@team_router.get("/teams", summary="Supervisors' teams")
async def list_teams(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[TeamPublic]:
    return await teams.read_teams(runtime, principal, page)


@team_router.get("/teams/{supervisor_id}", summary="One supervisor's team")
async def get_team(
    supervisor_id: PersonPath,
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
) -> TeamPublic:
    return await teams.read_team(runtime, principal, supervisor_id)


@team_router.get(
    "/roster", summary="The practitioners the culture views count (from assignments and teams)"
)
async def list_roster(
    principal: Annotated[Principal, allow("roster.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[RosterMemberPublic]:
    return await teams.read_roster(runtime, principal, page)


@culture_router.get("", summary="The agency's learning culture")
async def agency_culture(
    principal: Annotated[Principal, allow("culture.read_agency")],
    runtime: RuntimeDep,
    as_of: AsOf = None,
) -> CultureIndicatorsPublic:
    return await indicators.agency_view(runtime, principal, _day(as_of))


@culture_router.get("/teams/{supervisor_id}", summary="A supervisor's team's learning culture")
async def team_culture(
    supervisor_id: PersonPath,
    principal: Annotated[Principal, allow("culture.read_team")],
    runtime: RuntimeDep,
    as_of: AsOf = None,
) -> CultureIndicatorsPublic:
    return await indicators.team_view(runtime, principal, supervisor_id, _day(as_of))


def _day(as_of: date | None) -> date:
    if as_of is None:
        return practice_today()
    refuse_future(as_of, "as_of")
    return as_of
