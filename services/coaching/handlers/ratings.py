"""Use cases of skill ratings: record one (rater checked on the rating date, goals it
reaches achieved in the same transaction), read them and the standing levels."""

from __future__ import annotations

import uuid
from datetime import date

from services.coaching.adapters.plan_rows import update_plan_goals
from services.coaching.adapters.rating_rows import (
    find_rating,
    insert_rating,
    list_ratings,
    ratings_of,
)
from services.coaching.adapters.session_rows import session_record
from services.coaching.adapters.streams import (
    load_assignments,
    load_plan,
    pending,
    plan_stream,
    record_stream,
)
from services.coaching.domain.achievement import apply_rating
from services.coaching.domain.events import SkillRated
from services.coaching.domain.history import goal_achieved
from services.coaching.domain.ratings import (
    RecordRating,
    SkillRating,
    current_levels,
    record_rating,
)
from services.coaching.domain.vocabulary import Competency, SourceKind
from services.coaching.handlers.recording import (
    ensure_same_repeat,
    practice_today,
    record_id,
    retried_after_a_race,
)
from services.coaching.models.ratings import (
    RatingCreate,
    RatingPublic,
    SkillProfile,
    StandingLevel,
)
from services.coaching.permissions import (
    SUPERVISOR,
    acting_as,
    own_records_only,
    practitioner_filter,
)
from shared.auth import Principal
from shared.database import Connection
from shared.idempotency import Recorded, fingerprint
from shared.pagination import Page, PageRequest
from shared.practice_time import now_utc
from shared.problems import NotFound
from shared.roster import require_on_roster
from shared.service import Runtime


@retried_after_a_race
async def rate(
    runtime: Runtime, principal: Principal, request: RatingCreate
) -> Recorded[RatingPublic]:
    agency = principal.agency_id
    rating_id = record_id(request.id)
    rater = acting_as(principal, request.rater_id, field="rater_id")
    command = RecordRating(
        rating_id=str(rating_id),
        practitioner_id=request.practitioner_id,
        rater_id=rater,
        competency=request.competency.value,
        level=request.level.value,
        rated_on=request.rated_on,
        source_kind=request.source_type.value,
        source_id=request.source_id,
        note=request.note,
    )
    content_hash = fingerprint(command)
    async with runtime.store.transaction() as conn:
        stored = await find_rating(conn, agency, rating_id)
        if stored is not None:
            ensure_same_repeat("rating", rating_id, stored.fingerprint, content_hash)
            return Recorded(stored.public, created=False)
        await require_on_roster(conn, agency, [command.practitioner_id], command.rated_on)
        practitioner = command.practitioner_id
        assignments = await load_assignments(runtime.store, conn, agency, practitioner)
        source_session = (
            await session_record(conn, agency, command.source_id)
            if request.source_type is SourceKind.SESSION
            else None
        )
        rating = record_rating(
            command,
            today=practice_today(),
            recorded_at=now_utc(),
            assignments=assignments.state,
            # the supervisor role counts only when supervisors rate as themselves
            rater_is_supervisor=rater == principal.subject and SUPERVISOR in principal.roles,
            source_session=source_session,
        )
        events = [
            pending(
                _rated(rating),
                principal,
                subject=practitioner,
                on=rating.rated_on,
                fingerprint=content_hash,
                private={"note": rating.note},
            )
        ]
        await runtime.store.append(
            conn, record_stream("rating", agency, rating.rating_id), events, expected_version=0
        )
        achieved_ids = await _achieve_goals(runtime, conn, principal, rating)
        await insert_rating(conn, agency, rating, achieved_ids, content_hash)
        created = await find_rating(conn, agency, rating_id)
        assert created is not None
        return Recorded(created.public, created=True)


async def _achieve_goals(
    runtime: Runtime, conn: Connection, principal: Principal, rating: SkillRating
) -> list[str]:
    """Close the open goals ``rating`` reaches: one `goal_achieved` per goal."""
    agency = principal.agency_id
    plan = await load_plan(runtime.store, conn, agency, rating.practitioner_id)
    if plan.state is None:
        return []
    after, achieved = apply_rating(plan.state, rating)
    if not achieved:
        return []
    await runtime.store.append(
        conn,
        plan_stream(agency, rating.practitioner_id),
        [
            pending(
                goal_achieved(after, goal),
                principal,
                subject=rating.practitioner_id,
                on=rating.rated_on,
            )
            for goal in achieved
        ],
        expected_version=plan.version,
    )
    await update_plan_goals(conn, agency, after)
    return [goal.goal_id for goal in achieved]


async def read_one(runtime: Runtime, principal: Principal, rating_id: uuid.UUID) -> RatingPublic:
    async with runtime.pool.acquire() as conn:
        stored = await find_rating(conn, principal.agency_id, rating_id)
    if stored is None or own_records_only(principal) not in (None, stored.public.practitioner_id):
        raise NotFound(f"no skill rating {rating_id} in this agency; list them at /ratings")
    return stored.public


async def read_many(
    runtime: Runtime,
    principal: Principal,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    competency: Competency | None,
) -> Page[RatingPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_ratings(
            conn,
            principal.agency_id,
            page,
            practitioner_id=practitioner_filter(principal, practitioner_id),
            competency=competency,
        )


async def skill_profile(
    runtime: Runtime, principal: Principal, practitioner_id: str, as_of: date | None
) -> SkillProfile:
    """The standing level per rated competency as of a day (default today)."""
    practitioner = practitioner_filter(principal, practitioner_id) or practitioner_id
    day = as_of or practice_today()
    async with runtime.pool.acquire() as conn:
        ratings = await ratings_of(conn, principal.agency_id, practitioner, day)
    standing = current_levels(ratings, practitioner_id=practitioner, as_of=day)
    return SkillProfile(
        practitioner_id=practitioner,
        as_of=day,
        levels=[
            StandingLevel(
                competency=r.competency,
                level=r.level,
                rated_on=r.rated_on,
                rating_id=uuid.UUID(r.rating_id),
            )
            for competency in Competency
            if (r := standing.get(competency)) is not None
        ],
    )


def _rated(rating: SkillRating) -> SkillRated:
    return SkillRated(
        rating_id=rating.rating_id,
        practitioner_id=rating.practitioner_id,
        rater_id=rating.rater_id,
        competency=rating.competency.value,
        level=rating.level.value,
        rated_on=rating.rated_on,
        source_type=rating.source.kind.value,
        source_id=rating.source.source_id,
    )
