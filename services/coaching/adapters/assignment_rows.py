"""The `assignments` projection: writes inside the handler's transaction, and reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from services.coaching.domain.assignments import CoachAssignment
from services.coaching.models.assignments import AssignmentPublic
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page

_COLUMNS = "assignment_id, coach_id, practitioner_id, valid_from, valid_to, recorded_at"


@dataclass(frozen=True)
class StoredAssignment:
    public: AssignmentPublic
    fingerprint: str


async def insert_assignment(
    conn: Connection, agency_id: str, assignment: CoachAssignment, fingerprint: str
) -> None:
    await conn.execute(
        "INSERT INTO assignments (agency_id, assignment_id, coach_id, practitioner_id,"
        " valid_from, valid_to, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        agency_id,
        uuid.UUID(assignment.assignment_id),
        assignment.coach_id,
        assignment.practitioner_id,
        assignment.valid_from,
        assignment.valid_to,
        fingerprint,
    )


async def end_assignment_row(
    conn: Connection, agency_id: str, assignment_id: str, valid_to: date
) -> None:
    await conn.execute(
        "UPDATE assignments SET valid_to = $3 WHERE agency_id = $1 AND assignment_id = $2",
        agency_id,
        uuid.UUID(assignment_id),
        valid_to,
    )


async def find_assignment(
    conn: Connection, agency_id: str, assignment_id: uuid.UUID
) -> StoredAssignment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, fingerprint FROM assignments"
        " WHERE agency_id = $1 AND assignment_id = $2",
        agency_id,
        assignment_id,
    )
    return StoredAssignment(_public(row), row["fingerprint"]) if row else None


async def list_assignments(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    coach_id: str | None,
    active_on: date | None,
) -> Page[AssignmentPublic]:
    """Newest period first: by `valid_from` descending, then id."""
    query = (
        ListQuery(agency_id)
        .when(practitioner_id, "practitioner_id = {}")
        .when(coach_id, "coach_id = {}")
        .when(active_on, "valid_from <= {0} AND (valid_to IS NULL OR valid_to >= {0})")
        .after(page, "(valid_from, assignment_id) <", ("date", "uuid"))
    )
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM assignments WHERE {query.where()}"
        f" ORDER BY valid_from DESC, assignment_id DESC {query.limit(page)}",
        *query.params,
    )
    return build_page(
        [_public(r) for r in rows],
        page.limit,
        lambda a: [a.valid_from.isoformat(), str(a.id)],
    )


async def assignments_of_coach(
    conn: Connection, agency_id: str, coach_id: str
) -> list[CoachAssignment]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM assignments WHERE agency_id = $1 AND coach_id = $2",
        agency_id,
        coach_id,
    )
    return [
        CoachAssignment(
            assignment_id=str(r["assignment_id"]),
            coach_id=r["coach_id"],
            practitioner_id=r["practitioner_id"],
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
        )
        for r in rows
    ]


def _public(row: asyncpg.Record) -> AssignmentPublic:
    return AssignmentPublic(
        id=row["assignment_id"],
        coach_id=row["coach_id"],
        practitioner_id=row["practitioner_id"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        recorded_at=row["recorded_at"],
    )
