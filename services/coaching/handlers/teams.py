"""Use cases of the roster's teams and the roster the culture views count."""

from __future__ import annotations

from datetime import date

from services.coaching.adapters.team_rows import find_team, list_teams, roster_page
from services.coaching.models.culture import RosterMemberPublic, TeamPublic
from shared.auth import Principal
from shared.pagination import Page, PageRequest
from shared.problems import NotFound
from shared.service import Runtime


async def read_team(runtime: Runtime, principal: Principal, team_id: str, on: date) -> TeamPublic:
    async with runtime.pool.acquire() as conn:
        team = await find_team(conn, principal.agency_id, team_id, on)
    if team is None:
        raise NotFound(
            f"no team {team_id!r} in this agency on {on}: a team is a supervisor's (the "
            "supervisor's id) or a named team of the roster (certification's "
            "/practitioners) with at least one member that day"
        )
    return team


async def read_teams(
    runtime: Runtime, principal: Principal, on: date, page: PageRequest
) -> Page[TeamPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_teams(conn, principal.agency_id, on, page)


async def read_roster(
    runtime: Runtime, principal: Principal, page: PageRequest
) -> Page[RosterMemberPublic]:
    async with runtime.pool.acquire() as conn:
        return await roster_page(conn, principal.agency_id, page)
