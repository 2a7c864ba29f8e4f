"""Policy routes: versions as JSON data, adoption with history, what-if over current evidence."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Body, Depends, Response, status

from services.certification.adapters import listing, policy_rows
from services.certification.domain.policy import Policy
from services.certification.domain.seed_policies import DEFAULT_POLICY
from services.certification.entrypoints.dependencies import AsOf, Today, refuse_after_today
from services.certification.handlers.policies import adopt_policy, create_policy_version
from services.certification.handlers.what_if import evaluate_draft
from services.certification.models.policies import (
    DRAFT_EXAMPLE,
    AdoptionCreate,
    AdoptionOutcomePublic,
    AdoptionPublic,
    PolicyRef,
    PolicyVersionPublic,
    PractitionerOutcomePublic,
    WhatIfPublic,
)
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, build_page, page_of_sorted, page_request
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import RuntimeDep

router = APIRouter(prefix="/policies", tags=["policies"], responses=PROBLEM_RESPONSES)

PolicyBody = Annotated[
    Policy,
    Body(
        description="a complete policy (levels, requirements, maintenance) as JSON",
        examples=[DRAFT_EXAMPLE],
    ),
]

SEED_VERSION = PolicyVersionPublic(
    policy_id=DEFAULT_POLICY.id,
    policy_version=DEFAULT_POLICY.version,
    title=DEFAULT_POLICY.title,
    seed=True,
    created_by=None,
    created_at=None,
    policy=DEFAULT_POLICY.model_dump(mode="json"),
)


def version_public(row: asyncpg.Record) -> PolicyVersionPublic:
    return PolicyVersionPublic(
        policy_id=row["policy_id"],
        policy_version=row["policy_version"],
        title=row["title"],
        seed=False,
        created_by=row["created_by"],
        created_at=row["created_at"],
        policy=row["policy"],
    )


def adoption_public(adoption: policy_rows.Adoption) -> AdoptionPublic:
    return AdoptionPublic(
        policy_id=adoption.policy_id,
        policy_version=adoption.policy_version,
        adopted_on=adoption.adopted_on,
        adopted_by=adoption.adopted_by,
        recorded_at=adoption.recorded_at,
    )


@router.get("", summary="Policy versions of the agency (the seed default first)")
async def list_policies(
    principal: Annotated[Principal, allow("policies.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[PolicyVersionPublic]:
    async with runtime.pool.acquire() as conn:
        rows = await listing.policy_versions(conn, principal.agency_id)
    versions = [SEED_VERSION, *(version_public(row) for row in rows)]
    versions.sort(key=lambda v: (not v.seed, v.policy_id, v.policy_version))
    return page_of_sorted(
        versions, page, lambda v: [int(not v.seed), v.policy_id, v.policy_version]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a policy version from JSON (201; 200 for an identical repeat)",
)
async def create_policy(
    policy: PolicyBody,
    principal: Annotated[Principal, allow("policies.create")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PolicyVersionPublic:
    created = await create_policy_version(runtime, principal, policy, today)
    async with runtime.pool.acquire() as conn:
        rows = await listing.policy_versions(conn, principal.agency_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    if policy_rows.is_seed(policy.id, policy.version):
        return SEED_VERSION
    row = next(
        r for r in rows if (r["policy_id"], r["policy_version"]) == (policy.id, policy.version)
    )
    return version_public(row)


@router.get("/adopted", summary="The policy version the agency is evaluated under now")
async def read_adopted(
    principal: Annotated[Principal, allow("policies.read")],
    runtime: RuntimeDep,
) -> AdoptionPublic:
    async with runtime.pool.acquire() as conn:
        adoption = await policy_rows.current_adoption(conn, principal.agency_id)
    return adoption_public(adoption)


@router.get("/adoptions", summary="Adoption history, oldest first")
async def list_adoptions(
    principal: Annotated[Principal, allow("policies.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
) -> Page[AdoptionPublic]:
    async with runtime.pool.acquire() as conn:
        rows = await listing.adoptions_page(conn, principal.agency_id, page)
    positions = [row["position"] for row in rows]
    items = [
        AdoptionPublic(
            policy_id=row["policy_id"],
            policy_version=row["policy_version"],
            adopted_on=row["adopted_on"],
            adopted_by=row["adopted_by"],
            recorded_at=row["recorded_at"],
        )
        for row in rows
    ]
    page_of = build_page(list(zip(items, positions, strict=True)), page.limit, lambda p: [p[1]])
    return Page[AdoptionPublic](
        items=[item for item, _ in page_of.items], next_cursor=page_of.next_cursor
    )


@router.post(
    "/adoptions",
    status_code=status.HTTP_201_CREATED,
    summary="Adopt a policy version; every practitioner is re-evaluated under it",
)
async def adopt(
    body: AdoptionCreate,
    principal: Annotated[Principal, allow("policies.adopt")],
    runtime: RuntimeDep,
    today: Today,
) -> AdoptionOutcomePublic:
    outcome = await adopt_policy(runtime, principal, body.policy_id, body.policy_version, today)
    return AdoptionOutcomePublic(
        **adoption_public(outcome.adoption).model_dump(),
        practitioners_evaluated=outcome.practitioners_evaluated,
        transitions_published=outcome.transitions_published,
    )


@router.get("/{policy_id}/versions/{version}", summary="One policy version")
async def read_policy(
    policy_id: str,
    version: int,
    principal: Annotated[Principal, allow("policies.read")],
    runtime: RuntimeDep,
) -> PolicyVersionPublic:
    if policy_rows.is_seed(policy_id, version):
        return SEED_VERSION
    async with runtime.pool.acquire() as conn:
        rows = await listing.policy_versions(conn, principal.agency_id)
    for row in rows:
        if (row["policy_id"], row["policy_version"]) == (policy_id, version):
            return version_public(row)
    raise NotFound(f"no policy {policy_id} v{version} in this agency")


@router.post(
    "/what-if",
    summary="Evaluate a draft policy over current evidence: who gains, keeps or loses a level",
)
async def what_if(
    draft: PolicyBody,
    principal: Annotated[Principal, allow("policies.what_if")],
    runtime: RuntimeDep,
    today: Today,
    page: Annotated[PageRequest, Depends(page_request)],
    as_of: AsOf = None,
) -> WhatIfPublic:
    day = as_of or today
    refuse_after_today(day, "as_of", today)
    report = await evaluate_draft(runtime, principal.agency_id, draft, day)
    outcomes = [
        PractitionerOutcomePublic(
            practitioner_id=o.practitioner_id, changes=o.changes, current=o.current, draft=o.draft
        )
        for o in report.outcomes
    ]
    return WhatIfPublic(
        current_policy=PolicyRef(
            policy_id=report.current_policy.id, policy_version=report.current_policy.version
        ),
        draft_policy=PolicyRef(policy_id=draft.id, policy_version=draft.version),
        as_of=day,
        summary=report.summary,
        practitioners=page_of_sorted(outcomes, page, lambda o: [o.practitioner_id]),
    )
