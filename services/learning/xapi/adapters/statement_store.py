"""Writing Statements: a whole batch in a few set-based statements, inside one transaction.

`insert_statements` stores the completed Statements and their agent and activity
references in one round trip (`INSERT … SELECT FROM unnest` in data-modifying CTEs),
skipping ids already stored so the caller can compare those instead.
`mark_voided` then applies voiding in both directions (a voiding Statement arriving
after or before its target).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.database import Connection

from ..matching import (
    ActivityReference,
    AgentReference,
    activity_references,
    agent_references,
    registration,
    statement_ref_target,
    verb_id,
    voided_target,
)
from ..structure import JsonObject


@dataclass(frozen=True)
class StatementRow:
    """A completed Statement with the columns and references the filters need."""

    statement_id: UUID
    document: JsonObject
    verb_id: str
    registration: UUID | None
    ref_target: UUID | None
    voids: UUID | None
    agents: tuple[AgentReference, ...]
    activities: tuple[ActivityReference, ...]

    @classmethod
    def of(cls, document: JsonObject) -> StatementRow:
        return cls(
            statement_id=UUID(str(document["id"])),
            document=document,
            verb_id=verb_id(document) or "",
            registration=registration(document),
            ref_target=statement_ref_target(document),
            voids=voided_target(document),
            agents=agent_references(document),
            activities=activity_references(document),
        )


async def stored_now(conn: Connection) -> datetime:
    """The `stored` time of a batch: the database clock, to the millisecond."""
    moment: datetime = await conn.fetchval("SELECT date_trunc('milliseconds', clock_timestamp())")
    return moment


async def insert_statements(
    conn: Connection,
    agency_id: str,
    credential_key: str,
    stored: datetime,
    rows: Sequence[StatementRow],
) -> set[UUID]:
    """Insert the rows whose id is new to the agency, with their references; their ids."""
    if not rows:
        return set()
    agents = [(r.statement_id, a) for r in rows for a in r.agents]
    activities = [(r.statement_id, a) for r in rows for a in r.activities]
    inserted = await conn.fetch(
        """
        WITH new AS (
            INSERT INTO xapi_statements (agency_id, statement_id, stored, verb_id, registration,
                ref_target, voids, credential_key, document)
            SELECT $1, r.statement_id, $2, r.verb_id, r.registration, r.ref_target, r.voids,
                $3, r.document::jsonb
            FROM unnest($4::uuid[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::text[])
                AS r(statement_id, verb_id, registration, ref_target, voids, document)
            ON CONFLICT (agency_id, statement_id) DO NOTHING
            RETURNING statement_id
        ), agents AS (
            INSERT INTO xapi_statement_agents (agency_id, statement_id, role, identity_key,
                via_member)
            SELECT $1, a.statement_id, a.role, a.identity_key, a.via_member
            FROM unnest($10::uuid[], $11::text[], $12::text[], $13::bool[])
                AS a(statement_id, role, identity_key, via_member)
            WHERE a.statement_id IN (SELECT statement_id FROM new)
        ), activities AS (
            INSERT INTO xapi_statement_activities (agency_id, statement_id, role, activity_id)
            SELECT $1, a.statement_id, a.role, a.activity_id
            FROM unnest($14::uuid[], $15::text[], $16::text[]) AS a(statement_id, role, activity_id)
            WHERE a.statement_id IN (SELECT statement_id FROM new)
        )
        SELECT statement_id FROM new
        """,
        agency_id,
        stored,
        credential_key,
        [r.statement_id for r in rows],
        [r.verb_id for r in rows],
        [r.registration for r in rows],
        [r.ref_target for r in rows],
        [r.voids for r in rows],
        [json.dumps(r.document, ensure_ascii=False) for r in rows],
        [statement_id for statement_id, _ in agents],
        [a.role for _, a in agents],
        [a.identity.key for _, a in agents],
        [a.via_member for _, a in agents],
        [statement_id for statement_id, _ in activities],
        [a.role for _, a in activities],
        [a.activity_id for _, a in activities],
    )
    return {record["statement_id"] for record in inserted}


async def stored_documents(
    conn: Connection, agency_id: str, statement_ids: Sequence[UUID]
) -> dict[UUID, dict[str, Any]]:
    """The stored Statements with these ids, by id."""
    if not statement_ids:
        return {}
    rows = await conn.fetch(
        "SELECT statement_id, document FROM xapi_statements"
        " WHERE agency_id = $1 AND statement_id = ANY($2::uuid[])",
        agency_id,
        list(statement_ids),
    )
    return {row["statement_id"]: row["document"] for row in rows}


async def mark_voided(conn: Connection, agency_id: str, statement_ids: Sequence[UUID]) -> set[UUID]:
    """Void the targets of the new voiding Statements, and new Statements already voided.

    A Statement is voided iff it is not itself a voiding Statement and a voiding
    Statement targets it (Data §2.3.2.s2.b3). Returns the ids voided now.
    """
    if not statement_ids:
        return set()
    rows = await conn.fetch(
        """
        UPDATE xapi_statements target SET voided = true
        FROM xapi_statements voiding
        WHERE target.agency_id = $1 AND voiding.agency_id = $1
          AND voiding.voids = target.statement_id
          AND target.voids IS NULL AND NOT target.voided
          AND (voiding.statement_id = ANY($2::uuid[]) OR target.statement_id = ANY($2::uuid[]))
        RETURNING target.statement_id
        """,
        agency_id,
        list(statement_ids),
    )
    return {row["statement_id"] for row in rows}
