"""Record assessment attempts (mastery follows from them) and read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.learning.adapters import queries
from services.learning.adapters.learner_stream import learner_lock
from services.learning.entrypoints.http import CREATE_RESPONSES, Paging
from services.learning.handlers import record_attempt
from services.learning.handlers.recorded import LockNeeded, single_write
from services.learning.models.commands import RecordAttempt
from services.learning.models.records import AttemptRecord
from services.learning.permissions import may_read, scope_to_own_records
from shared.auth import Principal, allow
from shared.eventstore import ConcurrencyConflict
from shared.idempotency import answered
from shared.identifiers import PersonQuery
from shared.lean_write import answered_lean_write
from shared.pagination import Page
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep, get_runtime

router = APIRouter(prefix="/attempts", tags=["attempts"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Record an assessment attempt; one reaching the mastery score masters the module",
    response_model=AttemptRecord,
    responses=CREATE_RESPONSES,
)
@answered_lean_write(stand_ins={get_runtime: get_runtime})
async def create_attempt(
    principal: Annotated[Principal, allow("attempts.record")],
    runtime: RuntimeDep,
    command: RecordAttempt,
    response: Response,
) -> AttemptRecord:
    lock = learner_lock(principal.agency_id, command.practitioner_id)
    # a new id is the usual case: stored without looking for it first, and without the
    # learner's lock, by an append that commits by itself if the stream has not moved
    # (handlers/attempts.py); after any failure (its row's key refusing a repeat, a
    # refusal, the stream moved, more than one event to write), once more under the
    # lock looking first, which answers a repeat or a refusal exactly as looking first
    # always did
    try:
        async with runtime.store.pool.acquire() as unlocked:
            result = await record_attempt(
                runtime,
                unlocked,
                principal.agency_id,
                principal.actor,
                command,
                look_first=False,
                alone=True,
            )
    except Exception as error:
        if command.id is None and not isinstance(error, ConcurrencyConflict | LockNeeded):
            raise
        async with runtime.store.transaction([lock]) as conn, single_write(conn):
            result = await record_attempt(
                runtime, conn, principal.agency_id, principal.actor, command
            )
    return answered(result, response)


@router.get("", summary="Attempts, in practice-date order", response_model=Page[AttemptRecord])
async def list_attempts(
    principal: Annotated[Principal, allow("attempts.read")],
    runtime: RuntimeDep,
    page: Paging,
    practitioner_id: Annotated[PersonQuery, Query(description="only this practitioner's")] = None,
    module_id: Annotated[str | None, Query(description="only this module's")] = None,
) -> Page[AttemptRecord]:
    practitioner_id = scope_to_own_records(principal, practitioner_id)
    async with runtime.pool.acquire() as conn:
        return await queries.list_attempts(
            conn, principal.agency_id, page, practitioner_id=practitioner_id, module_id=module_id
        )


@router.get("/{attempt_id}", summary="One attempt", response_model=AttemptRecord)
async def get_attempt(
    principal: Annotated[Principal, allow("attempts.read")],
    runtime: RuntimeDep,
    attempt_id: uuid.UUID,
) -> AttemptRecord:
    async with runtime.pool.acquire() as conn:
        found = await queries.find_attempt(conn, principal.agency_id, attempt_id)
    if found is None or not may_read(principal, found.practitioner_id):
        raise NotFound(f"no attempt {attempt_id} in this agency")
    return found
