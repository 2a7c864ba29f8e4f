"""The `teams` projection and the roster the culture views count.

The roster is every practitioner the agency registered in the program (certification's
`practitioner_registered`, kept in `registered_practitioners`), who appears in an
assignment, or who is in a supervisor's team. A registered practitioner is active from
their program start, for as long as they are registered, coached or not — being in the
program without coaching is exactly what the culture view should show. One known only
from assignments is active from their first assignment's start to their last one's end
(open while any is open); one only in a team counts as active throughout.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.coaching.domain.culture_indicators import RosterMember
from services.coaching.models.culture import RosterMemberPublic, TeamPublic
from shared.database import Connection
from shared.pagination import Page, PageRequest, build_page, keyset

_ROSTER = """
    WITH periods AS (
        SELECT practitioner_id,
               min(valid_from) AS active_from,
               CASE WHEN bool_or(valid_to IS NULL) THEN NULL ELSE max(valid_to) END AS active_to
        FROM assignments WHERE agency_id = $1 GROUP BY practitioner_id
    ), members AS (
        SELECT DISTINCT unnest(practitioner_ids) AS practitioner_id
        FROM teams WHERE agency_id = $1
    ), registered AS (
        SELECT practitioner_id, program_start
        FROM registered_practitioners WHERE agency_id = $1
    ), everyone AS (
        SELECT practitioner_id FROM periods
        UNION SELECT practitioner_id FROM members
        UNION SELECT practitioner_id FROM registered
    )
    SELECT e.practitioner_id,
           CASE WHEN r.practitioner_id IS NULL THEN p.active_from
                ELSE least(r.program_start, p.active_from) END AS active_from,
           CASE WHEN r.practitioner_id IS NULL THEN p.active_to END AS active_to
    FROM everyone e
    LEFT JOIN periods p ON p.practitioner_id = e.practitioner_id
    LEFT JOIN registered r ON r.practitioner_id = e.practitioner_id
"""


async def save_team(
    conn: Connection, agency_id: str, supervisor_id: str, practitioner_ids: list[str]
) -> None:
    await conn.execute(
        "INSERT INTO teams (agency_id, supervisor_id, practitioner_ids) VALUES ($1, $2, $3)"
        " ON CONFLICT (agency_id, supervisor_id) DO UPDATE"
        " SET practitioner_ids = excluded.practitioner_ids, updated_at = now()",
        agency_id,
        supervisor_id,
        practitioner_ids,
    )


async def find_team(conn: Connection, agency_id: str, supervisor_id: str) -> TeamPublic | None:
    row = await conn.fetchrow(
        "SELECT supervisor_id, practitioner_ids, updated_at FROM teams"
        " WHERE agency_id = $1 AND supervisor_id = $2",
        agency_id,
        supervisor_id,
    )
    return _team(row) if row else None


async def list_teams(conn: Connection, agency_id: str, page: PageRequest) -> Page[TeamPublic]:
    (after,) = keyset(page, "text") or ("",)
    rows = await conn.fetch(
        "SELECT supervisor_id, practitioner_ids, updated_at FROM teams"
        " WHERE agency_id = $1 AND supervisor_id > $2 ORDER BY supervisor_id LIMIT $3",
        agency_id,
        str(after),
        page.limit + 1,
    )
    return build_page([_team(r) for r in rows], page.limit, lambda t: [t.supervisor_id])


async def roster(conn: Connection, agency_id: str) -> list[RosterMember]:
    rows = await conn.fetch(_ROSTER, agency_id)
    return [
        RosterMember(
            practitioner_id=r["practitioner_id"],
            active_from=r["active_from"],
            active_to=r["active_to"],
        )
        for r in rows
    ]


async def roster_page(
    conn: Connection, agency_id: str, page: PageRequest
) -> Page[RosterMemberPublic]:
    (after,) = keyset(page, "text") or ("",)
    rows = await conn.fetch(
        f"SELECT * FROM ({_ROSTER}) AS roster WHERE practitioner_id > $2"
        " ORDER BY practitioner_id LIMIT $3",
        agency_id,
        str(after),
        page.limit + 1,
    )
    return build_page(
        [RosterMemberPublic(**dict(r)) for r in rows], page.limit, lambda m: [m.practitioner_id]
    )


def _team(row: asyncpg.Record) -> TeamPublic:
    updated_at: datetime = row["updated_at"]
    return TeamPublic(
        supervisor_id=row["supervisor_id"],
        practitioner_ids=row["practitioner_ids"],
        updated_at=updated_at,
    )
