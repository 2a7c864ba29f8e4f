"""Reads of the projections: records by id, keyset-paginated lists, lapse candidates.

Every query is scoped to one agency; another agency's rows are never visible.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.learning.models.records import (
    AttemptRecord,
    EnrollmentRecord,
    ReviewRecord,
)
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page, keyset

_ENROLLMENT = """
    SELECT enrollment_id AS id, practitioner_id, enrolled_on, catalog_version, recorded_at
    FROM learners
"""
_ATTEMPT = """
    SELECT attempt_id AS id, practitioner_id, module_id, module_order, assessment_id,
        scaled_score, passed, mastered_module, previous_module_mastered, attempted_at,
        source_statement_id, recorded_at
    FROM attempts
"""
_REVIEW = """
    SELECT review_id AS id, practitioner_id, concept_id, module_id, rating, scaled_score,
        reviewed_at, next_due_at, restored, source_statement_id, recorded_at
    FROM concept_reviews
"""


async def find_enrollment(
    conn: Connection, agency_id: str, practitioner_id: str
) -> EnrollmentRecord | None:
    row = await conn.fetchrow(
        _ENROLLMENT + " WHERE agency_id = $1 AND practitioner_id = $2", agency_id, practitioner_id
    )
    return EnrollmentRecord.model_validate(dict(row)) if row else None


async def find_enrollment_by_id(
    conn: Connection, agency_id: str, enrollment_id: uuid.UUID
) -> EnrollmentRecord | None:
    row = await conn.fetchrow(
        _ENROLLMENT + " WHERE agency_id = $1 AND enrollment_id = $2", agency_id, enrollment_id
    )
    return EnrollmentRecord.model_validate(dict(row)) if row else None


async def list_enrollments(
    conn: Connection, agency_id: str, page: PageRequest
) -> Page[EnrollmentRecord]:
    where = ListQuery(agency_id)
    if after := keyset(page, "text"):
        where.add("practitioner_id > {}", *after)
    sql = (
        _ENROLLMENT
        + " WHERE "
        + where.where()
        + " ORDER BY practitioner_id"
        + " "
        + where.limit(page)
    )
    rows = [EnrollmentRecord.model_validate(dict(r)) for r in await conn.fetch(sql, *where.params)]
    return build_page(rows, page.limit, lambda r: [r.practitioner_id])


async def find_attempt(
    conn: Connection, agency_id: str, attempt_id: uuid.UUID
) -> AttemptRecord | None:
    row = await conn.fetchrow(
        _ATTEMPT + " WHERE agency_id = $1 AND attempt_id = $2", agency_id, attempt_id
    )
    return AttemptRecord.model_validate(dict(row)) if row else None


async def list_attempts(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None = None,
    module_id: str | None = None,
) -> Page[AttemptRecord]:
    where = ListQuery(agency_id)
    if practitioner_id is not None:
        where.add("practitioner_id = {}", practitioner_id)
    if module_id is not None:
        where.add("module_id = {}", module_id)
    if after := keyset(page, "datetime", "uuid"):
        where.add("(attempted_at, attempt_id) > ({}, {})", *after)
    sql = (
        _ATTEMPT
        + " WHERE "
        + where.where()
        + " ORDER BY attempted_at, attempt_id"
        + " "
        + where.limit(page)
    )
    rows = [AttemptRecord.model_validate(dict(r)) for r in await conn.fetch(sql, *where.params)]
    return build_page(rows, page.limit, lambda r: [r.attempted_at.isoformat(), str(r.id)])


async def find_review(
    conn: Connection, agency_id: str, review_id: uuid.UUID
) -> ReviewRecord | None:
    row = await conn.fetchrow(
        _REVIEW + " WHERE agency_id = $1 AND review_id = $2", agency_id, review_id
    )
    return ReviewRecord.model_validate(dict(row)) if row else None


async def list_reviews(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None = None,
    concept_id: str | None = None,
) -> Page[ReviewRecord]:
    where = ListQuery(agency_id)
    if practitioner_id is not None:
        where.add("practitioner_id = {}", practitioner_id)
    if concept_id is not None:
        where.add("concept_id = {}", concept_id)
    if after := keyset(page, "datetime", "uuid"):
        where.add("(reviewed_at, review_id) > ({}, {})", *after)
    sql = (
        _REVIEW
        + " WHERE "
        + where.where()
        + " ORDER BY reviewed_at, review_id"
        + " "
        + where.limit(page)
    )
    rows = [ReviewRecord.model_validate(dict(r)) for r in await conn.fetch(sql, *where.params)]
    return build_page(rows, page.limit, lambda r: [r.reviewed_at.isoformat(), str(r.id)])


async def lapse_candidates(conn: Connection, due_before: datetime) -> list[tuple[str, str]]:
    """(agency, practitioner) with a card overdue past the grace and not yet announced."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT agency_id, practitioner_id FROM review_cards
        WHERE NOT lapse_open AND due < $1
        ORDER BY agency_id, practitioner_id
        """,
        due_before,
    )
    return [(r["agency_id"], r["practitioner_id"]) for r in rows]
