"""HTTP routes of supervisors' teams, the roster, and the learning-culture views."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.coaching.handlers import indicators, teams
from services.coaching.handlers.recording import practice_today
from services.coaching.models.common import PersonPath, PracticeDate
from services.coaching.models.culture import RosterMemberPublic, TeamPublic
from services.coaching.models.indicators import CultureIndicatorsPublic
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import refuse_future
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

team_router = APIRouter(tags=["teams and roster"], responses=PROBLEM_RESPONSES)
culture_router = APIRouter(
    prefix="/culture", tags=["learning culture"], responses=PROBLEM_RESPONSES
)

AsOf = Annotated[PracticeDate | None, Query(description="the day to compute as of; default today")]


@team_router.get("/teams", summary="The roster's teams on a day (supervisors' and named)")
async def list_teams(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    as_of: AsOf = None,
) -> Page[TeamPublic]:
    return await teams.read_teams(runtime, principal, _day(as_of), page)


@team_router.get(
    "/teams/{team_id}", summary="One team of the roster on a day (a supervisor's id or a name)"
)
async def get_team(
    team_id: PersonPath,
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    as_of: AsOf = None,
) -> TeamPublic:
    return await teams.read_team(runtime, principal, team_id, _day(as_of))


@team_router.get("/roster", summary="The practitioners on the roster the culture views count")
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


@culture_router.get(
    "/teams/{team_id}", summary="A team's learning culture (a supervisor's id or a named team)"
)
async def team_culture(
    team_id: PersonPath,
    principal: Annotated[Principal, allow("culture.read_team")],
    runtime: RuntimeDep,
    as_of: AsOf = None,
) -> CultureIndicatorsPublic:
    return await indicators.team_view(runtime, principal, team_id, _day(as_of))


def _day(as_of: date | None) -> date:
    if as_of is None:
        return practice_today()
    refuse_future(as_of, "as_of")
    return as_of
