"""Reading Statements: one by id, or a filtered page, in SQL with the semantics of `selection`.

Each non-time filter becomes a recursive CTE: the Statements meeting it directly, then
— following `ref_target` — every Statement targeting one of those, recursively (Communication
§2.1.3.s3; `UNION` stops at cycles). The page takes non-voided Statements in all of
those sets, within `since`/`until`, ordered by (`stored`, id) and cut by a keyset, so
a `more` link costs the same however deep it goes. `selection.select_statements` is the
executable reference these queries are tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.database import Connection

from ..matching import activity_roles, agent_roles
from ..query import StatementQuery


@dataclass(frozen=True)
class StoredStatement:
    statement_id: UUID
    stored: datetime
    document: dict[str, Any]


async def find_stored(
    conn: Connection, agency_id: str, statement_id: UUID, *, voided: bool
) -> StoredStatement | None:
    """The Statement with this id: a non-voided one, or with `voided` only a voided one."""
    row = await conn.fetchrow(
        "SELECT statement_id, stored, document FROM xapi_statements"
        " WHERE agency_id = $1 AND statement_id = $2 AND voided = $3",
        agency_id,
        statement_id,
        voided,
    )
    return StoredStatement(**dict(row)) if row else None


async def select_page(
    conn: Connection,
    agency_id: str,
    query: StatementQuery,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[StoredStatement]:
    """Up to `limit` Statements the query selects, after the keyset `after`."""
    sql, arguments = _page_sql(agency_id, query, after, limit)
    rows = await conn.fetch(sql, *arguments)
    return [StoredStatement(**dict(row)) for row in rows]


async def consistent_through(conn: Connection) -> datetime:
    """A time before which every Statement that has or will have that `stored` is visible.

    `stored` is taken inside the writing transaction, so it is never earlier than the
    transaction's start: the oldest running transaction's start (less a millisecond, as
    `stored` is truncated to milliseconds) bounds everything still to come.
    """
    moment: datetime = await conn.fetchval(
        """
        SELECT date_trunc('milliseconds', least(now(), coalesce(min(xact_start), now())))
               - interval '1 millisecond'
        FROM pg_stat_activity
        WHERE datname = current_database() AND xact_start IS NOT NULL
        """
    )
    return moment


class _Sql:
    """Numbered parameters for a query built from parts."""

    def __init__(self, agency_id: str) -> None:
        self.arguments: list[Any] = [agency_id]

    def param(self, value: Any) -> str:
        self.arguments.append(value)
        return f"${len(self.arguments)}"


def _page_sql(
    agency_id: str,
    query: StatementQuery,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> tuple[str, list[Any]]:
    sql = _Sql(agency_id)
    direct: dict[str, str] = {}
    if query.agent is not None:
        direct["agent_match"] = (
            "SELECT statement_id FROM xapi_statement_agents WHERE agency_id = $1"
            f" AND identity_key = {sql.param(query.agent.key)}"
            f" AND role = ANY({sql.param(sorted(agent_roles(query.related_agents)))}::text[])"
        )
    if query.verb is not None:
        direct["verb_match"] = (
            "SELECT statement_id FROM xapi_statements WHERE agency_id = $1"
            f" AND verb_id = {sql.param(query.verb)}"
        )
    if query.activity is not None:
        roles = sorted(activity_roles(query.related_activities))
        direct["activity_match"] = (
            "SELECT statement_id FROM xapi_statement_activities WHERE agency_id = $1"
            f" AND activity_id = {sql.param(query.activity)}"
            f" AND role = ANY({sql.param(roles)}::text[])"
        )
    if query.registration is not None:
        direct["registration_match"] = (
            "SELECT statement_id FROM xapi_statements WHERE agency_id = $1"
            f" AND registration = {sql.param(query.registration)}"
        )
    ctes = [
        f"{name}(statement_id) AS ({base} UNION SELECT r.statement_id FROM xapi_statements r"
        f" JOIN {name} m ON r.ref_target = m.statement_id WHERE r.agency_id = $1)"
        for name, base in direct.items()
    ]
    conditions = ["s.agency_id = $1", "NOT s.voided"]
    conditions += [f"s.statement_id IN (SELECT statement_id FROM {name})" for name in direct]
    if query.since is not None:
        conditions.append(f"s.stored > {sql.param(query.since)}")
    if query.until is not None:
        conditions.append(f"s.stored <= {sql.param(query.until)}")
    direction, comparison = ("ASC", ">") if query.ascending else ("DESC", "<")
    if after is not None:
        keyset = f"({sql.param(after[0])}, {sql.param(after[1])})"
        conditions.append(f"(s.stored, s.statement_id) {comparison} {keyset}")
    with_clause = f"WITH RECURSIVE {', '.join(ctes)} " if ctes else ""
    text = (
        f"{with_clause}SELECT s.statement_id, s.stored, s.document FROM xapi_statements s"
        f" WHERE {' AND '.join(conditions)}"
        f" ORDER BY s.stored {direction}, s.statement_id {direction}"
        f" LIMIT {sql.param(limit)}"
    )
    return text, sql.arguments
