"""Certification routes: a practitioner's state as of any date, history, revoke, reinstate."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import TypeAdapter, ValidationError

from services.certification.adapters import evidence_rows, listing, policy_rows, status_rows
from services.certification.domain.evaluate import evaluate
from services.certification.entrypoints.dependencies import (
    AsOf,
    Today,
    refuse_after_today,
    today,
    today_of_request,
)
from services.certification.handlers.admin_actions import AdminDecision, decide
from services.certification.models.certification import (
    AdminDecisionCreate,
    CertificationStatePublic,
    PublishedTransitionPublic,
    state_json,
    state_public,
)
from services.certification.permissions import ensure_may_read
from shared.auth import Principal, allow
from shared.database import Connection
from shared.envelope import event_type
from shared.identifiers import PersonPath
from shared.lean_route import LeanRoute, answered_lean
from shared.pagination import Page, PageRequest, build_page, page_request
from shared.problems import PROBLEM_RESPONSES, Forbidden, NotFound
from shared.service import Runtime, RuntimeDep, get_runtime

router = APIRouter(
    prefix="/practitioners/{practitioner_id}",
    tags=["certification"],
    responses=PROBLEM_RESPONSES,
    route_class=LeanRoute,
)

PRACTITIONER_ID: TypeAdapter[str] = TypeAdapter(PersonPath)


def published_public(row: asyncpg.Record) -> PublishedTransitionPublic:
    return PublishedTransitionPublic(
        event_id=row["event_id"],
        type=event_type("certification", f"certification_{row['kind']}", 1),
        level=row["level_key"],
        kind=row["kind"],
        effective_on=row["effective_on"],
        true_effective_on=row["true_effective_on"] or row["effective_on"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        policy_id=row["policy_id"],
        policy_version=row["policy_version"],
        reason=row["reason"],
        explanation=row["explanation"],
        correction=row["correction"],
        corrects=row["corrects"],
        retracted_by=row["retracted_by"],
        recorded_at=row["recorded_at"],
    )


async def _registered(conn: Connection, agency_id: str, practitioner_id: str) -> None:
    if await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is None:
        raise NotFound(f"no practitioner {practitioner_id} on this agency's roster")


async def stored_certification(request: Request, principal: Principal) -> Response | None:
    """The lean answer of `read_certification` (shared/lean_route.py): today's stored state,
    asked without `as_of`, of an id the route's own type takes, that the caller may read;
    None for anything else (a missing or earlier day's row too): the route answers it."""
    if request.scope.get("query_string"):
        return None
    try:
        practitioner_id = PRACTITIONER_ID.validate_python(request.path_params["practitioner_id"])
        ensure_may_read(principal, practitioner_id)
    except (ValidationError, Forbidden):
        return None
    runtime: Runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        stored = await status_rows.stored_state(
            conn, principal.agency_id, practitioner_id, today(runtime)
        )
    return None if stored is None else Response(stored, media_type="application/json")


@router.get(
    "/certification",
    summary="Certification state with its explanation, as of a date",
    response_model=CertificationStatePublic,
)
@answered_lean(stored_certification, stands_in_for=(get_runtime, today_of_request))
async def read_certification(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("certification.read")],
    runtime: RuntimeDep,
    today: Today,
    as_of: AsOf = None,
) -> Response:
    """Today's state is the stored projection (one indexed read) when it is current; a
    past date, or a stored row from an earlier day, is answered by the pure fold."""
    ensure_may_read(principal, practitioner_id)
    day = as_of or today
    refuse_after_today(day, "as_of", today)
    agency_id = principal.agency_id
    async with runtime.pool.acquire() as conn:
        if day == today:
            stored = await status_rows.stored_state(conn, agency_id, practitioner_id, today)
            if stored is not None:
                return Response(stored, media_type="application/json")
        # one snapshot: the evaluation row's version matches the evidence and policy read
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            version = await status_rows.evaluation_version(conn, agency_id, practitioner_id)
            await _registered(conn, agency_id, practitioner_id)
            # a past date is answered under the policy the agency had adopted on that date
            policy = await policy_rows.policy_in_force(conn, agency_id, day)
            evidence = await evidence_rows.evidence_set(conn, agency_id, practitioner_id)
        body = state_json(evaluate(policy, evidence, day))
        if day == today and version is not None:  # the first read of a new day stores it
            await status_rows.keep_read_state(
                conn, agency_id, practitioner_id, version, today, body
            )
    return Response(body, media_type="application/json")


@router.get("/transitions", summary="Transition events published for the practitioner")
async def read_history(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("certification.history")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[PublishedTransitionPublic]:
    ensure_may_read(principal, practitioner_id)
    async with runtime.pool.acquire() as conn:
        await _registered(conn, principal.agency_id, practitioner_id)
        rows = await listing.history_page(conn, principal.agency_id, practitioner_id, page)
    positions = {row["event_id"]: row["position"] for row in rows}
    return build_page(
        [published_public(row) for row in rows],
        page.limit,
        lambda item: [positions[item.event_id]],
    )


async def _decide(
    practitioner_id: PersonPath,
    body: AdminDecisionCreate,
    principal: Principal,
    runtime: RuntimeDep,
    today: date,
    *,
    revoke: bool,
) -> CertificationStatePublic:
    effective_on = body.effective_on or today
    refuse_after_today(effective_on, "effective_on", today)
    decision = AdminDecision(practitioner_id, body.level, body.reason, effective_on)
    evaluated = await decide(runtime, principal, decision, revoke=revoke, today=today)
    return state_public(evaluated.state)


@router.post(
    "/revocations",
    status_code=status.HTTP_201_CREATED,
    summary="Revoke a level (or every level) with a reason — agency admin only",
)
async def revoke(
    practitioner_id: PersonPath,
    body: AdminDecisionCreate,
    principal: Annotated[Principal, allow("certification.revoke")],
    runtime: RuntimeDep,
    today: Today,
) -> CertificationStatePublic:
    return await _decide(practitioner_id, body, principal, runtime, today, revoke=True)


@router.post(
    "/reinstatements",
    status_code=status.HTTP_201_CREATED,
    summary="Lift a revocation with a reason — agency admin only",
)
async def reinstate(
    practitioner_id: PersonPath,
    body: AdminDecisionCreate,
    principal: Annotated[Principal, allow("certification.reinstate")],
    runtime: RuntimeDep,
    today: Today,
) -> CertificationStatePublic:
    return await _decide(practitioner_id, body, principal, runtime, today, revoke=False)
