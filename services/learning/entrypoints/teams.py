"""Teams as the roster defines them, and their visibility summary.

Certification owns the roster (a practitioner's supervisor and named team, with
effective dates); learning reads its copy, so every service shows the same teams.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.learning.entrypoints.http import AsOf, Paging, moment
from services.learning.handlers.reading import team_visibility_of
from services.learning.handlers.teams import roster_team, roster_teams
from services.learning.models.records import TeamRecord
from services.learning.models.reports import TeamVisibilityReport
from shared.auth import Principal, allow
from shared.identifiers import PersonPath
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(prefix="/teams", tags=["teams"], responses=PROBLEM_RESPONSES)

TeamId = PersonPath  # a supervisor's id (their team) or a named team's id


@router.get("", summary="The roster's teams on a day, by id", response_model=Page[TeamRecord])
async def list_teams(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    page: Paging,
    as_of: AsOf = None,
) -> Page[TeamRecord]:
    day = moment(runtime, as_of).date()
    return await roster_teams(runtime, principal.agency_id, day, page)


@router.get("/{team_id}", summary="One team of the roster on a day", response_model=TeamRecord)
async def get_team(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    team_id: TeamId,
    as_of: AsOf = None,
) -> TeamRecord:
    day = moment(runtime, as_of).date()
    return await roster_team(runtime, principal.agency_id, team_id, day)


@router.get(
    "/{team_id}/visibility",
    summary="The team ranked shakiest first, with status counts per competency",
    response_model=TeamVisibilityReport,
)
async def get_team_visibility(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    team_id: TeamId,
    as_of: AsOf = None,
) -> TeamVisibilityReport:
    return await team_visibility_of(runtime, principal.agency_id, team_id, moment(runtime, as_of))
