"""Reading the roster's history: where a practitioner stands, who is on a team on a date.

"On the roster on D" and "on team T on D" come from `roster_changes`: each
practitioner's latest row effective on or before D carries the details in force
that day, and its kind tells whether they had left. Before the program start the
registration's details hold (the roster contract: registered and not away; evidence
from before the program counts), so the registration row is in force from the start.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from services.certification.adapters.evidence_rows import RosterEntry
from services.certification.domain.roster import RosterDetails, RosterStanding
from shared.database import Connection
from shared.pagination import PageRequest, keyset

# Each practitioner's row in force on $2 (history rows are in date order per practitioner).
_IN_FORCE = """
    WITH in_force AS (
        SELECT DISTINCT ON (practitioner_id) *
        FROM roster_changes
        WHERE agency_id = $1 AND (effective_on <= $2 OR kind = 'registered')
        ORDER BY practitioner_id, effective_on <= $2 DESC, effective_on DESC, position DESC
    ), present AS (SELECT * FROM in_force WHERE kind <> 'left')
"""


async def standing(conn: Connection, agency_id: str, practitioner_id: str) -> RosterStanding | None:
    row = await conn.fetchrow(
        """
        SELECT p.*, (SELECT max(effective_on) FROM roster_changes r
                     WHERE r.agency_id = p.agency_id AND r.practitioner_id = p.practitioner_id
                    ) AS latest_on
        FROM practitioners p WHERE p.agency_id = $1 AND p.practitioner_id = $2
        """,
        agency_id,
        practitioner_id,
    )
    if row is None:
        return None
    return RosterStanding(
        practitioner_id=practitioner_id,
        details=RosterDetails(
            role=row["role"],
            program_start=row["program_start"],
            coach_id=row["coach_id"],
            supervisor_id=row["supervisor_id"],
            team_id=row["team_id"],
        ),
        left_on=row["left_on"],
        latest_on=row["latest_on"] or row["program_start"],
    )


async def registration(
    conn: Connection, agency_id: str, practitioner_id: str
) -> RosterEntry | None:
    """The details the practitioner was registered with (later changes aside)."""
    row = await conn.fetchrow(
        "SELECT * FROM roster_changes WHERE agency_id = $1 AND practitioner_id = $2"
        " AND kind = 'registered' ORDER BY position DESC LIMIT 1",
        agency_id,
        practitioner_id,
    )
    return RosterEntry.from_row(row) if row else None


async def recorded_request(
    conn: Connection, agency_id: str, client_id: uuid.UUID
) -> asyncpg.Record | None:
    """The lifecycle request an earlier call recorded under the client's id."""
    return await conn.fetchrow(
        "SELECT practitioner_id, content_hash FROM roster_changes"
        " WHERE agency_id = $1 AND client_id = $2",
        agency_id,
        client_id,
    )


async def teams_page(
    conn: Connection, agency_id: str, as_of: date, page: PageRequest
) -> list[asyncpg.Record]:
    """The teams with members on ``as_of``: supervisors' teams and named teams, by id."""
    after_id, after_kind = keyset(page, "text", "text") or ("", "")
    return await conn.fetch(
        _IN_FORCE
        + """
        , teams AS (
            SELECT supervisor_id AS team_id, 'supervisor' AS kind, count(*) AS member_count
            FROM present WHERE supervisor_id IS NOT NULL GROUP BY supervisor_id
            UNION ALL
            SELECT team_id, 'named', count(*) FROM present
            WHERE team_id IS NOT NULL GROUP BY team_id
        )
        SELECT * FROM teams WHERE (team_id, kind) > ($3, $4)
        ORDER BY team_id, kind LIMIT $5
        """,
        agency_id,
        as_of,
        after_id,
        after_kind,
        page.limit + 1,
    )


async def team_members(
    conn: Connection, agency_id: str, team_id: str, as_of: date
) -> list[asyncpg.Record]:
    """Who is on ``team_id`` on ``as_of``: under that supervisor, or in that named team."""
    return await conn.fetch(
        _IN_FORCE
        + """
        SELECT * FROM present WHERE supervisor_id = $3 OR team_id = $3
        ORDER BY practitioner_id
        """,
        agency_id,
        as_of,
        team_id,
    )


async def team_ever_existed(conn: Connection, agency_id: str, team_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM roster_changes WHERE agency_id = $1"
        " AND (supervisor_id = $2 OR team_id = $2) LIMIT 1",
        agency_id,
        team_id,
    )
    return bool(found)
