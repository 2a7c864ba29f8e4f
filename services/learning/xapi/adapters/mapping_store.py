"""How an agency's Statements map to its catalog and practitioners, and what they became."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    outcome: str  # "recorded", "skipped" or "pending"
    detail: str
    record_id: UUID | None = None  # the attempt or review it became
    # pending: "mapping", "learner", "partner"; skipped: "not-evidence", "refused",
    # "not-an-activity", "voided"
    reason_code: str | None = None
    activity_id: str | None = None
    identity_key: str | None = None
    practised_at: datetime | None = None


async def save_outcomes(
    conn: Connection, agency_id: str, outcomes: Sequence[StatementOutcome]
) -> None:
    """Insert or replace (a re-evaluation replaces what a Statement was)."""
    if not outcomes:
        return
    await conn.executemany(
        """
        INSERT INTO xapi_statement_outcomes (agency_id, statement_id, practitioner_id, outcome,
            detail, record_id, reason_code, activity_id, identity_key, practised_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (agency_id, statement_id) DO UPDATE SET
            practitioner_id = excluded.practitioner_id, outcome = excluded.outcome,
            detail = excluded.detail, record_id = excluded.record_id,
            reason_code = excluded.reason_code, activity_id = excluded.activity_id,
            identity_key = excluded.identity_key, practised_at = excluded.practised_at,
            updated_at = now()
        """,
        [
            (
                agency_id,
                o.statement_id,
                o.practitioner_id,
                o.outcome,
                o.detail,
                o.record_id,
                o.reason_code,
                o.activity_id,
                o.identity_key,
                o.practised_at,
            )
            for o in outcomes
        ],
    )


_OUTCOME_COLUMNS = (
    "o.statement_id, o.practitioner_id, o.outcome, o.detail, o.record_id, o.reason_code,"
    " o.activity_id, o.identity_key, o.practised_at"
)


async def find_outcome(
    conn: Connection, agency_id: str, statement_id: UUID
) -> StatementOutcome | None:
    row = await conn.fetchrow(
        f"SELECT {_OUTCOME_COLUMNS} FROM xapi_statement_outcomes o"
        " WHERE o.agency_id = $1 AND o.statement_id = $2",
        agency_id,
        statement_id,
    )
    if row is None:
        return None
    return StatementOutcome(**dict(row))


async def outcomes_of(
    conn: Connection, agency_id: str, statement_ids: Sequence[UUID]
) -> dict[UUID, StatementOutcome]:
    rows = await conn.fetch(
        f"SELECT {_OUTCOME_COLUMNS} FROM xapi_statement_outcomes o"
        " WHERE o.agency_id = $1 AND o.statement_id = ANY($2::uuid[])",
        agency_id,
        list(statement_ids),
    )
    return {row["statement_id"]: StatementOutcome(**dict(row)) for row in rows}


async def outcomes_of_record(
    conn: Connection, agency_id: str, record_id: UUID
) -> list[StatementOutcome]:
    """Every Statement that went into one attempt or review (a combined pair: two)."""
    rows = await conn.fetch(
        f"SELECT {_OUTCOME_COLUMNS} FROM xapi_statement_outcomes o"
        " WHERE o.agency_id = $1 AND o.record_id = $2 ORDER BY o.statement_id",
        agency_id,
        record_id,
    )
    return [StatementOutcome(**dict(row)) for row in rows]


@dataclass(frozen=True)
class ListedOutcome:
    statement_id: UUID
    stored: datetime
    credential_key: str
    verb_id: str
    voided: bool
    outcome: StatementOutcome


async def list_outcomes(
    conn: Connection,
    agency_id: str,
    *,
    limit: int,
    after: tuple[datetime, UUID] | None = None,
    credential_key: str | None = None,
    outcome: str | None = None,
    reason_code: str | None = None,
    practitioner_id: str | None = None,
    activity_id: str | None = None,
    since: datetime | None = None,
) -> list[ListedOutcome]:
    """Stored Statements with their outcomes, oldest stored first (keyset on stored, id)."""
    where = ["s.agency_id = $1"]
    arguments: list[object] = [agency_id]

    def add(condition: str, value: object) -> None:
        arguments.append(value)
        where.append(condition.format(f"${len(arguments)}"))

    if credential_key is not None:
        add("s.credential_key = {}", credential_key)
    if outcome is not None:
        add("o.outcome = {}", outcome)
    if reason_code is not None:
        add("o.reason_code = {}", reason_code)
    if practitioner_id is not None:
        add("o.practitioner_id = {}", practitioner_id)
    if activity_id is not None:
        add("o.activity_id = {}", activity_id)
    if since is not None:
        add("s.stored > {}", since)
    if after is not None:
        arguments.extend(after)
        where.append(f"(s.stored, s.statement_id) > (${len(arguments) - 1}, ${len(arguments)})")
    arguments.append(limit)
    rows = await conn.fetch(
        f"""
        SELECT s.stored, s.credential_key, s.verb_id, s.voided, {_OUTCOME_COLUMNS}
        FROM xapi_statements s
        JOIN xapi_statement_outcomes o
          ON o.agency_id = s.agency_id AND o.statement_id = s.statement_id
        WHERE {" AND ".join(where)}
        ORDER BY s.stored, s.statement_id LIMIT ${len(arguments)}
        """,
        *arguments,
    )
    listed = []
    for row in rows:
        values = dict(row)
        stored, key, verb, voided = (
            values.pop(k) for k in ("stored", "credential_key", "verb_id", "voided")
        )
        listed.append(
            ListedOutcome(
                values["statement_id"], stored, key, verb, voided, StatementOutcome(**values)
            )
        )
    return listed


@dataclass(frozen=True)
class PendingStatement:
    credential_key: str
    document: dict[str, Any]


async def any_pending_statement(conn: Connection, agency_id: str) -> bool:
    """Whether the agency has a Statement whose outcome is pending at all (its partial
    index answers): without one, nothing waits for a learner and a registration has
    nothing to judge again."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM xapi_statement_outcomes"
        " WHERE agency_id = $1 AND outcome = 'pending')",
        agency_id,
    )
    return found


async def pending_statements(
    conn: Connection,
    agency_id: str,
    *,
    practitioner_id: str | None = None,
    identity_keys: Sequence[str] = (),
    activity_id: str | None = None,
    home_page: str | None = None,
    also_not_evidence: bool = False,
) -> list[PendingStatement]:
    """Non-voided Statements whose outcome is pending and that a change may now resolve:
    of a practitioner (or these identities), on an Activity, or by accounts on a
    homePage; with `also_not_evidence`, those skipped as no evidence under the mapping."""
    outcomes = ["pending", "skipped"] if also_not_evidence else ["pending"]
    arguments: list[object] = [agency_id, outcomes]
    match: list[str] = []

    def add(condition: str, value: object) -> None:
        arguments.append(value)
        match.append(condition.format(f"${len(arguments)}"))

    if practitioner_id is not None:
        add("o.practitioner_id = {}", practitioner_id)
    if identity_keys:
        add("o.identity_key = ANY({}::text[])", list(identity_keys))
    if activity_id is not None:
        add("o.activity_id = {}", activity_id)
    if home_page is not None:
        add("(o.reason_code = 'learner' AND o.identity_key LIKE {})", home_page_pattern(home_page))
    if not match:
        return []
    rows = await conn.fetch(
        f"""
        SELECT s.credential_key, s.document FROM xapi_statement_outcomes o
        JOIN xapi_statements s ON s.agency_id = o.agency_id AND s.statement_id = o.statement_id
        WHERE o.agency_id = $1 AND o.outcome = ANY($2::text[]) AND NOT s.voided
          AND (o.outcome = 'pending' OR o.reason_code = 'not-evidence')
          AND ({" OR ".join(match)})
        ORDER BY o.practised_at, o.statement_id
        """,
        *arguments,
    )
    return [PendingStatement(row["credential_key"], row["document"]) for row in rows]


def home_page_pattern(home_page: str) -> str:
    """A LIKE pattern for account identity keys on `home_page` (see `agents.Identity.key`)."""
    prefix = json.dumps(["account", home_page], ensure_ascii=False)[:-1] + ", "
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def waiting_partners(
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    activity_id: str,
    around: datetime,
    window: timedelta,
    excluding: UUID,
) -> list[dict[str, Any]]:
    """The learner's pending, non-voided Statements on the Activity within `window` of
    `around`, oldest first (partners a `completed` or `passed` may combine with)."""
    rows = await conn.fetch(
        """
        SELECT s.document FROM xapi_statement_outcomes o
        JOIN xapi_statements s ON s.agency_id = o.agency_id AND s.statement_id = o.statement_id
        WHERE o.agency_id = $1 AND o.practitioner_id = $2 AND o.activity_id = $3
          AND o.outcome = 'pending' AND NOT s.voided AND o.statement_id <> $6
          AND o.practised_at BETWEEN $4::timestamptz - $5::interval
                                 AND $4::timestamptz + $5::interval
        ORDER BY o.practised_at, o.statement_id
        """,
        agency_id,
        practitioner_id,
        activity_id,
        around,
        window,
        excluding,
    )
    return [row["document"] for row in rows]


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
