"""Use cases of supervisors' teams and the roster the culture views count."""

from __future__ import annotations

from services.coaching.adapters.streams import pending, team_stream
from services.coaching.adapters.team_rows import find_team, list_teams, roster_page, save_team
from services.coaching.domain.events import TeamSet
from services.coaching.handlers.recording import practice_today, retried_after_a_race
from services.coaching.models.culture import RosterMemberPublic, TeamPublic
from shared.auth import Principal
from shared.idempotency import Recorded
from shared.pagination import Page, PageRequest
from shared.problems import NotFound, Unprocessable
from shared.service import Runtime


@retried_after_a_race
async def set_team(
    runtime: Runtime, principal: Principal, supervisor_id: str, practitioner_ids: list[str]
) -> Recorded[TeamPublic]:
    """Replace the supervisor's team; the same members again changes nothing."""
    agency = principal.agency_id
    members = list(dict.fromkeys(practitioner_ids))  # keep the order given, drop repeats
    if supervisor_id in members:
        raise Unprocessable(
            f"practitioner_ids lists the supervisor {supervisor_id} themself; a team holds "
            "the practitioners they supervise"
        )
    async with runtime.store.transaction() as conn:
        existing = await find_team(conn, agency, supervisor_id)
        if existing is not None and existing.practitioner_ids == members:
            return Recorded(existing, created=False)
        event = TeamSet(supervisor_id=supervisor_id, practitioner_ids=tuple(members))
        await runtime.store.append(
            conn,
            team_stream(agency, supervisor_id),
            [pending(event, principal, subject=supervisor_id, on=practice_today())],
            expected_version=None,
        )
        await save_team(conn, agency, supervisor_id, members)
        team = await find_team(conn, agency, supervisor_id)
        assert team is not None
        return Recorded(team, created=existing is None)


async def read_team(runtime: Runtime, principal: Principal, supervisor_id: str) -> TeamPublic:
    async with runtime.pool.acquire() as conn:
        team = await find_team(conn, principal.agency_id, supervisor_id)
    if team is None:
        raise NotFound(
            f"supervisor {supervisor_id} has no team in this agency; set one with "
            f"PUT /teams/{supervisor_id}"
        )
    return team


async def read_teams(runtime: Runtime, principal: Principal, page: PageRequest) -> Page[TeamPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_teams(conn, principal.agency_id, page)


async def read_roster(
    runtime: Runtime, principal: Principal, page: PageRequest
) -> Page[RosterMemberPublic]:
    async with runtime.pool.acquire() as conn:
        return await roster_page(conn, principal.agency_id, page)
