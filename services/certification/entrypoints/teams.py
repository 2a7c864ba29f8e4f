"""Team routes: the agency's teams as the roster defines them, and who was on one when.

A supervisor's team has the supervisor's id; a named team has the `team_id` given on
the roster. Membership follows the roster's effective dates.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.certification.adapters import roster_rows
from services.certification.entrypoints.dependencies import AsOf, Today, refuse_after_today
from services.certification.models.teams import (
    TeamKind,
    TeamMemberPublic,
    TeamPublic,
    TeamRosterPublic,
)
from shared.auth import Principal, allow
from shared.identifiers import PersonPath
from shared.pagination import Page, PageRequest, build_page, page_request
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/teams", tags=["roster"], responses=PROBLEM_RESPONSES)


@router.get("", summary="The agency's teams with their member counts, as of a date")
async def list_teams(
    principal: Annotated[Principal, allow("teams.list")],
    runtime: RuntimeDep,
    today: Today,
    page: Annotated[PageRequest, Depends(page_request)],
    as_of: AsOf = None,
) -> Page[TeamPublic]:
    day = as_of or today
    refuse_after_today(day, "as_of", today)
    async with runtime.pool.acquire() as conn:
        rows = await roster_rows.teams_page(conn, principal.agency_id, day, page)
    return build_page(
        [TeamPublic.model_validate(dict(row)) for row in rows],
        page.limit,
        lambda team: [team.team_id, team.kind],
    )


@router.get("/{team_id}", summary="Who is on a team on a date (today when left out)")
async def read_team(
    team_id: PersonPath,
    principal: Annotated[Principal, allow("teams.read")],
    runtime: RuntimeDep,
    today: Today,
    as_of: AsOf = None,
) -> TeamRosterPublic:
    day = as_of or today
    refuse_after_today(day, "as_of", today)
    async with runtime.pool.acquire() as conn:
        rows = await roster_rows.team_members(conn, principal.agency_id, team_id, day)
        if not rows and not await roster_rows.team_ever_existed(conn, principal.agency_id, team_id):
            raise NotFound(f"no team {team_id} on this agency's roster, on any date")
    kinds: list[TeamKind] = []
    if any(row["supervisor_id"] == team_id for row in rows):
        kinds.append("supervisor")
    if any(row["team_id"] == team_id for row in rows):
        kinds.append("named")
    return TeamRosterPublic(
        team_id=team_id,
        as_of=day,
        kinds=kinds,
        members=[TeamMemberPublic.model_validate(dict(row)) for row in rows],
    )
