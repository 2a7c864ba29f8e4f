"""One practitioner's learning as of any moment: progress, due reviews, visibility."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.learning.entrypoints.http import AsOf, Paging, moment
from services.learning.handlers.reading import (
    due_review_order,
    progress_of,
    reviews_of,
    visibility_of,
)
from services.learning.models.commands import PractitionerId
from services.learning.models.reports import DueReview, PractitionerVisibilityReport, ProgressReport
from services.learning.permissions import scope_to_own_records
from shared.auth import Principal, allow
from shared.pagination import Page, page_of_sorted
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(
    prefix="/practitioners/{practitioner_id}", tags=["practitioners"], responses=PROBLEM_RESPONSES
)


@router.get("/progress", summary="Module progress and mastery", response_model=ProgressReport)
async def get_progress(
    principal: Annotated[Principal, allow("enrollments.read")],
    runtime: RuntimeDep,
    practitioner_id: PractitionerId,
    as_of: AsOf = None,
) -> ProgressReport:
    scope_to_own_records(principal, practitioner_id)
    return await progress_of(runtime, principal.agency_id, practitioner_id, moment(runtime, as_of))


@router.get(
    "/due-reviews",
    summary="Concepts to review: lapsed first, then due, lowest recall first",
    response_model=Page[DueReview],
)
async def get_due_reviews(
    principal: Annotated[Principal, allow("reviews.read")],
    runtime: RuntimeDep,
    practitioner_id: PractitionerId,
    page: Paging,
    as_of: AsOf = None,
    include_strong: Annotated[
        bool, Query(description="also list concepts still strong, after the others")
    ] = False,
) -> Page[DueReview]:
    scope_to_own_records(principal, practitioner_id)
    reviews = await reviews_of(
        runtime,
        principal.agency_id,
        practitioner_id,
        moment(runtime, as_of),
        include_strong=include_strong,
    )
    return page_of_sorted(reviews, page, due_review_order)


@router.get(
    "/visibility",
    summary="Every concept and module as strong, shaky, missing or lapsed, most at risk first",
    response_model=PractitionerVisibilityReport,
)
async def get_visibility(
    principal: Annotated[Principal, allow("visibility.read")],
    runtime: RuntimeDep,
    practitioner_id: PractitionerId,
    as_of: AsOf = None,
) -> PractitionerVisibilityReport:
    scope_to_own_records(principal, practitioner_id)
    return await visibility_of(
        runtime, principal.agency_id, practitioner_id, moment(runtime, as_of)
    )
