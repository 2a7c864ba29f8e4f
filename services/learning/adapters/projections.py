"""Projection rows written in the same transaction as the events they come from."""

from __future__ import annotations

from collections.abc import Iterable

from services.learning.domain.learner import LearnerState
from services.learning.models.records import (
    AttemptRecord,
    EnrollmentRecord,
    ReviewRecord,
)
from shared.database import Connection
from shared.projected import Projected


async def insert_learner(conn: Connection, agency_id: str, record: EnrollmentRecord) -> None:
    await conn.execute(
        """
        INSERT INTO learners (agency_id, practitioner_id, enrollment_id, enrolled_on,
            catalog_version, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        agency_id,
        record.practitioner_id,
        record.id,
        record.enrolled_on,
        record.catalog_version,
        record.recorded_at,
    )


def attempt_row(agency_id: str, record: AttemptRecord) -> Projected:
    """The attempt's row, written by the statement that appends its events; its
    `recorded_at` is theirs (`now()`, the transaction's start), not `record`'s."""
    return Projected(
        """
        INSERT INTO attempts (agency_id, attempt_id, practitioner_id, module_id, module_order,
            assessment_id, scaled_score, passed, mastered_module, previous_module_mastered,
            attempted_at, source_statement_id, recorded_at)
        SELECT $1::text, $2::uuid, $3::text, $4::text, $5::int, $6::text, $7::float8,
            $8::bool, $9::bool, $10::bool, $11::timestamptz, $12::text, now()
        FROM appended
        """,
        (
            agency_id,
            record.id,
            record.practitioner_id,
            record.module_id,
            record.module_order,
            record.assessment_id,
            record.scaled_score,
            record.passed,
            record.mastered_module,
            record.previous_module_mastered,
            record.attempted_at,
            record.source_statement_id,
        ),
    )


async def insert_review(conn: Connection, agency_id: str, record: ReviewRecord) -> None:
    await conn.execute(
        """
        INSERT INTO concept_reviews (agency_id, review_id, practitioner_id, concept_id,
            module_id, rating, scaled_score, reviewed_at, next_due_at, restored,
            source_statement_id, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """,
        agency_id,
        record.id,
        record.practitioner_id,
        record.concept_id,
        record.module_id,
        record.rating.value,
        record.scaled_score,
        record.reviewed_at,
        record.next_due_at,
        record.restored,
        record.source_statement_id,
        record.recorded_at,
    )


async def sync_cards(
    conn: Connection,
    agency_id: str,
    state: LearnerState,
    concept_ids: Iterable[str],
    module_of: dict[str, str],
) -> None:
    """Mirror the folded cards' due dates and open lapses (what the lapse check scans)."""
    rows = [
        (
            agency_id,
            state.practitioner_id,
            concept_id,
            module_of[concept_id],
            state.cards[concept_id].due,
            concept_id in state.open_lapses,
        )
        for concept_id in concept_ids
    ]
    await conn.executemany(
        """
        INSERT INTO review_cards (agency_id, practitioner_id, concept_id, module_id, due,
            lapse_open)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (agency_id, practitioner_id, concept_id)
        DO UPDATE SET due = excluded.due, lapse_open = excluded.lapse_open
        """,
        rows,
    )
