"""Teams as the roster defines them: a supervisor's team (id = the supervisor) or a named one.

Certification owns the roster; learning reads its copy (`shared.roster`), so a change of
supervisor or team moves a practitioner between teams from its effective date on, and a
practitioner who left is no member while away.
"""

from __future__ import annotations

from datetime import date

from services.learning.handlers.context import LEARNING
from services.learning.models.records import TeamRecord
from shared.pagination import Page, PageRequest, page_of_sorted
from shared.problems import NotFound
from shared.roster import RosterTeam, team_on, teams_on
from shared.service import Runtime


async def roster_teams(
    runtime: Runtime, agency_id: str, on: date, page: PageRequest
) -> Page[TeamRecord]:
    async with LEARNING.of(runtime).pool.acquire() as conn:
        teams = [_record(t, on) for t in await teams_on(conn, agency_id, on)]
    return page_of_sorted(teams, page, lambda t: [t.id, t.kind])


async def roster_team(runtime: Runtime, agency_id: str, team_id: str, on: date) -> TeamRecord:
    async with LEARNING.of(runtime).pool.acquire() as conn:
        team = await team_on(conn, agency_id, team_id, on)
    if team is None:
        raise NotFound(
            f"no team {team_id!r} in this agency on {on}: a team is a supervisor's (the "
            "supervisor's id) or a named team of the roster (certification's "
            "/practitioners) with at least one member that day"
        )
    return _record(team, on)


def _record(team: RosterTeam, on: date) -> TeamRecord:
    return TeamRecord(id=team.team_id, kind=team.kind, member_ids=list(team.member_ids), as_of=on)
