"""What `POST /imports` takes in learning: each kind stored by the handler its POST uses."""

from __future__ import annotations

from services.learning.handlers import enroll_practitioner, record_attempt, record_review
from services.learning.models.commands import EnrollPractitioner, RecordAttempt, RecordReview
from shared.auth import Principal
from shared.import_routes import with_imports
from shared.imports import ImportKind, import_kinds
from shared.service import Runtime, ServiceDefinition


async def store_enrollment(
    runtime: Runtime, principal: Principal, command: EnrollPractitioner
) -> bool:
    async with runtime.store.transaction() as conn:
        result = await enroll_practitioner(
            runtime, conn, principal.agency_id, principal.actor, command
        )
    return result.created


async def store_attempt(runtime: Runtime, principal: Principal, command: RecordAttempt) -> bool:
    async with runtime.store.transaction() as conn:
        result = await record_attempt(runtime, conn, principal.agency_id, principal.actor, command)
    return result.created


async def store_review(runtime: Runtime, principal: Principal, command: RecordReview) -> bool:
    async with runtime.store.transaction() as conn:
        result = await record_review(runtime, conn, principal.agency_id, principal.actor, command)
    return result.created


IMPORT_KINDS = import_kinds(
    ImportKind("enrollment", EnrollPractitioner, store_enrollment),
    ImportKind("attempt", RecordAttempt, store_attempt),
    ImportKind("review", RecordReview, store_review),
)


def added_to(definition: ServiceDefinition) -> ServiceDefinition:
    """The service with `POST /imports` of these kinds (routes, tables, worker)."""
    return with_imports(definition, IMPORT_KINDS)
