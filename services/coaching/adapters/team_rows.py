"""The roster the culture views count, and its teams, from the kernel's roster copy.

The roster is certification's (every practitioner registered in the program, their
supervisor and named team with effective dates, and the periods they were away); coaching
keeps a copy (`shared.roster_copy`). A practitioner counts as active from their program
start, coached or not — being in the program without coaching is exactly what the
culture view should show — except while away (from leaving to the day before return).
"""

from __future__ import annotations

from datetime import date

from services.coaching.domain.culture_indicators import RosterMember
from services.coaching.models.culture import AwayPeriod, RosterMemberPublic, TeamPublic
from shared.database import Connection
from shared.pagination import Page, PageRequest, page_of_sorted
from shared.roster import RosterTeam, histories, team_on, teams_on


async def roster(conn: Connection, agency_id: str) -> list[RosterMember]:
    return [
        RosterMember(practitioner_id=h.practitioner_id, active_from=h.program_start, away=h.away)
        for h in await histories(conn, agency_id)
    ]


async def roster_page(
    conn: Connection, agency_id: str, page: PageRequest
) -> Page[RosterMemberPublic]:
    members = [
        RosterMemberPublic(
            practitioner_id=h.practitioner_id,
            active_from=h.program_start,
            away=[AwayPeriod(left_on=left, returned_on=back) for left, back in h.away],
        )
        for h in await histories(conn, agency_id)
    ]
    return page_of_sorted(members, page, lambda m: [m.practitioner_id])


async def find_team(conn: Connection, agency_id: str, team_id: str, on: date) -> TeamPublic | None:
    team = await team_on(conn, agency_id, team_id, on)
    return _team(team, on) if team else None


async def list_teams(
    conn: Connection, agency_id: str, on: date, page: PageRequest
) -> Page[TeamPublic]:
    teams = [_team(t, on) for t in await teams_on(conn, agency_id, on)]
    return page_of_sorted(teams, page, lambda t: [t.team_id, t.kind])


def _team(team: RosterTeam, on: date) -> TeamPublic:
    return TeamPublic(
        team_id=team.team_id, kind=team.kind, practitioner_ids=list(team.member_ids), as_of=on
    )
