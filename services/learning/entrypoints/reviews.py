"""Record spaced reviews of mastered concepts and read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.learning.adapters import queries
from services.learning.entrypoints.http import CREATE_RESPONSES, Paging
from services.learning.handlers import record_review
from services.learning.handlers.recorded import single_write
from services.learning.models.commands import RecordReview
from services.learning.models.records import ReviewRecord
from services.learning.permissions import may_read, scope_to_own_records
from shared.auth import Principal, allow
from shared.idempotency import answered
from shared.identifiers import PersonQuery
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/reviews", tags=["reviews"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Record a review (again/hard/good/easy, or a score mapped to them)",
    response_model=ReviewRecord,
    responses=CREATE_RESPONSES,
)
async def create_review(
    principal: Annotated[Principal, allow("reviews.record")],
    runtime: RuntimeDep,
    command: RecordReview,
    response: Response,
) -> ReviewRecord:
    async with runtime.store.transaction() as conn, single_write(conn):
        result = await record_review(runtime, conn, principal.agency_id, principal.actor, command)
    return answered(result, response)


@router.get("", summary="Reviews, in practice-date order", response_model=Page[ReviewRecord])
async def list_reviews(
    principal: Annotated[Principal, allow("reviews.read")],
    runtime: RuntimeDep,
    page: Paging,
    practitioner_id: Annotated[PersonQuery, Query(description="only this practitioner's")] = None,
    concept_id: Annotated[str | None, Query(description="only this concept's")] = None,
) -> Page[ReviewRecord]:
    practitioner_id = scope_to_own_records(principal, practitioner_id)
    async with runtime.pool.acquire() as conn:
        return await queries.list_reviews(
            conn, principal.agency_id, page, practitioner_id=practitioner_id, concept_id=concept_id
        )


@router.get("/{review_id}", summary="One review", response_model=ReviewRecord)
async def get_review(
    principal: Annotated[Principal, allow("reviews.read")],
    runtime: RuntimeDep,
    review_id: uuid.UUID,
) -> ReviewRecord:
    async with runtime.pool.acquire() as conn:
        found = await queries.find_review(conn, principal.agency_id, review_id)
    if found is None or not may_read(principal, found.practitioner_id):
        raise NotFound(f"no review {review_id} in this agency")
    return found
