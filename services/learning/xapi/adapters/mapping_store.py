"""How an agency's Statements map to its catalog and practitioners, and what they became."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from shared.database import Connection

from ..cmi5 import MoveOn
from ..evidence import ActivityMapping, MappingKind


def _activity_mapping(row: Any) -> ActivityMapping:
    move_on = MoveOn(row["move_on"]) if row["move_on"] else None
    return ActivityMapping(row["activity_id"], MappingKind(row["kind"]), row["target_id"], move_on)


async def save_activity_mapping(conn: Connection, agency_id: str, mapping: ActivityMapping) -> bool:
    """Insert or replace; True when it is new."""
    inserted: bool = await conn.fetchval(
        """
        INSERT INTO xapi_activity_mappings (agency_id, activity_id, kind, target_id, move_on)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (agency_id, activity_id) DO UPDATE SET kind = excluded.kind,
            target_id = excluded.target_id, move_on = excluded.move_on, updated_at = now()
        RETURNING xmax = 0
        """,
        agency_id,
        mapping.activity_id,
        mapping.kind.value,
        mapping.target_id,
        mapping.move_on.value if mapping.move_on else None,
    )
    return inserted


async def activity_mappings(
    conn: Connection, agency_id: str, activity_ids: Sequence[str] | None = None
) -> dict[str, ActivityMapping]:
    """The agency's mappings (all, or of these Activities), by Activity id."""
    query = (
        "SELECT activity_id, kind, target_id, move_on FROM xapi_activity_mappings"
        " WHERE agency_id = $1"
    )
    arguments: list[object] = [agency_id]
    if activity_ids is not None:
        query += " AND activity_id = ANY($2::text[])"
        arguments.append(list(activity_ids))
    rows = await conn.fetch(query + " ORDER BY activity_id", *arguments)
    return {row["activity_id"]: _activity_mapping(row) for row in rows}


async def delete_activity_mapping(conn: Connection, agency_id: str, activity_id: str) -> bool:
    status = await conn.execute(
        "DELETE FROM xapi_activity_mappings WHERE agency_id = $1 AND activity_id = $2",
        agency_id,
        activity_id,
    )
    return status != "DELETE 0"


@dataclass(frozen=True)
class ClaimedIdentity:
    identity_key: str
    practitioner_id: str


async def claimed_elsewhere(
    conn: Connection, agency_id: str, practitioner_id: str, identity_keys: Sequence[str]
) -> list[ClaimedIdentity]:
    rows = await conn.fetch(
        "SELECT identity_key, practitioner_id FROM xapi_actor_mappings WHERE agency_id = $1"
        " AND identity_key = ANY($2::text[]) AND practitioner_id <> $3",
        agency_id,
        list(identity_keys),
        practitioner_id,
    )
    return [ClaimedIdentity(row["identity_key"], row["practitioner_id"]) for row in rows]


async def replace_identities(
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    identities: Sequence[tuple[str, dict[str, Any]]],
) -> None:
    """Make `identities` ((key, Agent) pairs) the practitioner's whole set."""
    await conn.execute(
        "DELETE FROM xapi_actor_mappings WHERE agency_id = $1 AND practitioner_id = $2",
        agency_id,
        practitioner_id,
    )
    await conn.execute(
        """
        INSERT INTO xapi_actor_mappings (agency_id, identity_key, agent, practitioner_id)
        SELECT $1, i.identity_key, i.agent::jsonb, $2
        FROM unnest($3::text[], $4::text[]) AS i(identity_key, agent)
        """,
        agency_id,
        practitioner_id,
        [key for key, _ in identities],
        [json.dumps(agent) for _, agent in identities],
    )


async def identities_by_practitioner(
    conn: Connection, agency_id: str, practitioner_id: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    query = "SELECT practitioner_id, agent FROM xapi_actor_mappings WHERE agency_id = $1"
    arguments: list[object] = [agency_id]
    if practitioner_id is not None:
        query += " AND practitioner_id = $2"
        arguments.append(practitioner_id)
    found: dict[str, list[dict[str, Any]]] = {}
    for row in await conn.fetch(query + " ORDER BY practitioner_id, identity_key", *arguments):
        found.setdefault(row["practitioner_id"], []).append(row["agent"])
    return found


async def practitioners_by_identity(
    conn: Connection, agency_id: str, identity_keys: Sequence[str]
) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT identity_key, practitioner_id FROM xapi_actor_mappings"
        " WHERE agency_id = $1 AND identity_key = ANY($2::text[])",
        agency_id,
        list(identity_keys),
    )
    return {row["identity_key"]: row["practitioner_id"] for row in rows}


async def account_home_pages(conn: Connection, agency_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT home_page FROM xapi_account_home_pages WHERE agency_id = $1 ORDER BY home_page",
        agency_id,
    )
    return [row["home_page"] for row in rows]


async def add_account_home_page(conn: Connection, agency_id: str, home_page: str) -> None:
    await conn.execute(
        "INSERT INTO xapi_account_home_pages (agency_id, home_page) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        agency_id,
        home_page,
    )


async def remove_account_home_page(conn: Connection, agency_id: str, home_page: str) -> bool:
    status = await conn.execute(
        "DELETE FROM xapi_account_home_pages WHERE agency_id = $1 AND home_page = $2",
        agency_id,
        home_page,
    )
    return status != "DELETE 0"


@dataclass(frozen=True)
class StatementOutcome:
    statement_id: UUID
    practitioner_id: str | None
    outcome: str  # "recorded" or "skipped"
    detail: str
    record_id: UUID | None = None  # the attempt or review it became


async def save_outcomes(
    conn: Connection, agency_id: str, outcomes: Sequence[StatementOutcome]
) -> None:
    if not outcomes:
        return
    await conn.executemany(
        """
        INSERT INTO xapi_statement_outcomes (agency_id, statement_id, practitioner_id, outcome,
            detail, record_id)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
        """,
        [
            (agency_id, o.statement_id, o.practitioner_id, o.outcome, o.detail, o.record_id)
            for o in outcomes
        ],
    )


async def find_outcome(
    conn: Connection, agency_id: str, statement_id: UUID
) -> StatementOutcome | None:
    row = await conn.fetchrow(
        "SELECT statement_id, practitioner_id, outcome, detail, record_id"
        " FROM xapi_statement_outcomes WHERE agency_id = $1 AND statement_id = $2",
        agency_id,
        statement_id,
    )
    if row is None:
        return None
    return StatementOutcome(**dict(row))


async def au_satisfied(
    conn: Connection, agency_id: str, registration: UUID, activity_id: str
) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM xapi_au_satisfactions WHERE agency_id = $1"
        " AND registration = $2 AND activity_id = $3)",
        agency_id,
        registration,
        activity_id,
    )
    return found


async def record_au_satisfaction(
    conn: Connection, agency_id: str, registration: UUID, activity_id: str, statement_id: UUID
) -> None:
    await conn.execute(
        "INSERT INTO xapi_au_satisfactions (agency_id, registration, activity_id, statement_id)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        agency_id,
        registration,
        activity_id,
        statement_id,
    )


async def au_history(
    conn: Connection,
    agency_id: str,
    registration: UUID,
    activity_id: str,
    excluding: Sequence[UUID],
) -> list[dict[str, Any]]:
    """Non-voided Statements on the AU in the registration, oldest first, except `excluding`."""
    rows = await conn.fetch(
        """
        SELECT s.document FROM xapi_statements s
        JOIN xapi_statement_activities a
          ON a.agency_id = s.agency_id AND a.statement_id = s.statement_id
        WHERE s.agency_id = $1 AND s.registration = $2 AND a.role = 'object'
          AND a.activity_id = $3 AND NOT s.voided AND s.statement_id <> ALL($4::uuid[])
        ORDER BY s.stored, s.statement_id
        """,
        agency_id,
        registration,
        activity_id,
        list(excluding),
    )
    return [row["document"] for row in rows]
