"""Teams: a supervisor's or coach's group of practitioners, seen together.

A team is defined as a whole (name and members); redefining it appends another
`team_defined` to the team's stream. Members need not be enrolled yet.
"""

from __future__ import annotations

import uuid

from services.learning.adapters import projections, queries
from services.learning.domain.events import TeamDefined
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.recorded import Recorded, pending_event, writing
from services.learning.models.commands import DefineTeam
from services.learning.models.records import TeamRecord
from shared.database import Connection
from shared.idempotency_keys import minted_id
from shared.naming import stream_id
from shared.problems import Conflict, NotFound, Unprocessable
from shared.service import Runtime


def team_stream_id(agency_id: str, team_id: uuid.UUID) -> str:
    return stream_id("team", agency_id, str(team_id))


async def define_team(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    command: DefineTeam,
) -> Recorded[TeamRecord]:
    """Create a team; an identical retry with the same id returns it, other content is 409."""
    learning = LEARNING.of(runtime)
    members = _distinct_members(command.member_ids)
    if command.id is not None:
        existing = await queries.find_team(conn, agency_id, command.id)
        if existing is not None:
            if existing.name == command.name and existing.member_ids == members:
                return Recorded(existing, created=False)
            raise Conflict(
                f"team {command.id} already exists with other content; "
                f"PUT /teams/{command.id} to redefine it"
            )
    team_id = minted_id(command.id)
    record = await _append(learning, conn, agency_id, actor, team_id, command.name, members, 0)
    return Recorded(record, created=True)


async def redefine_team(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    team_id: uuid.UUID,
    command: DefineTeam,
) -> TeamRecord:
    """Replace a team's name and members."""
    learning = LEARNING.of(runtime)
    if command.id is not None and command.id != team_id:
        raise Unprocessable(f"body id {command.id} differs from the path's team id {team_id}")
    if await queries.find_team(conn, agency_id, team_id) is None:
        raise NotFound(f"no team {team_id} in this agency; POST /teams to create it")
    members = _distinct_members(command.member_ids)
    version = len(await learning.store.read_stream(team_stream_id(agency_id, team_id), conn))
    return await _append(learning, conn, agency_id, actor, team_id, command.name, members, version)


async def _append(
    learning: LearningContext,
    conn: Connection,
    agency_id: str,
    actor: str,
    team_id: uuid.UUID,
    name: str,
    members: list[str],
    expected_version: int,
) -> TeamRecord:
    event = TeamDefined(team_id=str(team_id), team_name=name, member_ids=members)
    async with writing(conn):
        [stored] = await learning.store.append(
            conn,
            team_stream_id(agency_id, team_id),
            [
                pending_event(
                    event,
                    agency_id=agency_id,
                    subject=str(team_id),
                    actor=actor,
                    occurred_at=learning.clock(),
                )
            ],
            expected_version=expected_version,
        )
        record = TeamRecord(
            id=team_id, name=name, member_ids=members, defined_at=stored.recorded_at
        )
        await projections.upsert_team(conn, agency_id, record)
    return record


def _distinct_members(member_ids: list[str]) -> list[str]:
    seen = list(dict.fromkeys(member_ids))
    if len(seen) != len(member_ids):
        duplicates = sorted({m for m in member_ids if member_ids.count(m) > 1})
        raise Unprocessable(f"member_ids lists {', '.join(duplicates)} more than once")
    return seen
