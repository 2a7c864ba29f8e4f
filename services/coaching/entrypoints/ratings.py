"""HTTP routes of skill ratings and the standing skill levels of a practitioner."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.coaching.domain.vocabulary import Competency
from services.coaching.handlers import ratings
from services.coaching.models.common import PersonPath, PersonQuery, PracticeDate
from services.coaching.models.ratings import RatingCreate, RatingPublic, SkillProfile
from shared.auth import Principal, allow
from shared.idempotency import answered, repeat_response
from shared.pagination import Page, PageRequest, page_request
from shared.practice_time import refuse_future
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

router = APIRouter(tags=["ratings"], responses=PROBLEM_RESPONSES)


@router.post(
    "/ratings",
    status_code=201,
    summary="Rate a practitioner's skill in one competency (the caller is the rater)",
    responses=repeat_response(RatingPublic),
)
async def rate_skill(
    body: RatingCreate,
    principal: Annotated[Principal, allow("ratings.record")],
    runtime: RuntimeDep,
    response: Response,
) -> RatingPublic:
    return answered(await ratings.rate(runtime, principal, body), response)


@router.get("/ratings", summary="Skill ratings, latest first")
async def list_ratings(
    principal: Annotated[Principal, allow("ratings.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    practitioner_id: PersonQuery = None,
    competency: Competency | None = None,
) -> Page[RatingPublic]:
    return await ratings.read_many(
        runtime, principal, page, practitioner_id=practitioner_id, competency=competency
    )


@router.get("/ratings/{rating_id}", summary="One skill rating")
async def get_rating(
    rating_id: uuid.UUID,
    principal: Annotated[Principal, allow("ratings.read")],
    runtime: RuntimeDep,
) -> RatingPublic:
    return await ratings.read_one(runtime, principal, rating_id)


@router.get(
    "/practitioners/{practitioner_id}/skills",
    summary="The standing skill level per competency (latest rating by practice date)",
)
async def skill_profile(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("ratings.read")],
    runtime: RuntimeDep,
    as_of: Annotated[PracticeDate | None, Query(description="default today")] = None,
) -> SkillProfile:
    if as_of is not None:
        refuse_future(as_of, "as_of")
    return await ratings.skill_profile(runtime, principal, practitioner_id, as_of)
