"""Teams (a supervisor's or coach's group) and their visibility summary.

Teams are resources rather than ad-hoc `?practitioner_id=` lists: a coach looks at
the same group week after week, and a stored team keeps the URL short and stable.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response

from services.learning.adapters import queries
from services.learning.entrypoints.http import (
    CREATE_RESPONSES,
    AsOf,
    Paging,
    moment,
)
from services.learning.handlers import define_team, redefine_team
from services.learning.handlers.reading import team_visibility_of
from services.learning.models.commands import DefineTeam
from services.learning.models.records import TeamRecord
from services.learning.models.reports import TeamVisibilityReport
from shared.auth import Principal, allow
from shared.idempotency import answered
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/teams", tags=["teams"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Define a team of practitioners",
    response_model=TeamRecord,
    responses=CREATE_RESPONSES,
)
async def create_team(
    principal: Annotated[Principal, allow("teams.define")],
    runtime: RuntimeDep,
    command: DefineTeam,
    response: Response,
) -> TeamRecord:
    async with runtime.store.transaction() as conn:
        result = await define_team(runtime, conn, principal.agency_id, principal.actor, command)
    return answered(result, response)


@router.put("/{team_id}", summary="Redefine a team's name and members", response_model=TeamRecord)
async def replace_team(
    principal: Annotated[Principal, allow("teams.define")],
    runtime: RuntimeDep,
    team_id: uuid.UUID,
    command: DefineTeam,
) -> TeamRecord:
    async with runtime.store.transaction() as conn:
        return await redefine_team(
            runtime, conn, principal.agency_id, principal.actor, team_id, command
        )


@router.get("", summary="Teams, by name", response_model=Page[TeamRecord])
async def list_teams(
    principal: Annotated[Principal, allow("teams.read")], runtime: RuntimeDep, page: Paging
) -> Page[TeamRecord]:
    async with runtime.pool.acquire() as conn:
        return await queries.list_teams(conn, principal.agency_id, page)


@router.get("/{team_id}", summary="One team", response_model=TeamRecord)
async def get_team(
    principal: Annotated[Principal, allow("teams.read")], runtime: RuntimeDep, team_id: uuid.UUID
) -> TeamRecord:
    async with runtime.pool.acquire() as conn:
        found = await queries.find_team(conn, principal.agency_id, team_id)
    if found is None:
        raise NotFound(f"no team {team_id} in this agency")
    return found


@router.get(
    "/{team_id}/visibility",
    summary="The team ranked shakiest first, with status counts per competency",
    response_model=TeamVisibilityReport,
)
async def get_team_visibility(
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    team_id: uuid.UUID,
    as_of: AsOf = None,
) -> TeamVisibilityReport:
    return await team_visibility_of(runtime, principal.agency_id, team_id, moment(runtime, as_of))
