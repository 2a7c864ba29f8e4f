"""Reading a learner "as of" any moment: progress, due reviews, visibility, team summary.

Each is computed from the practitioner's folded stream, so the answer for a past
moment is what the service knew of that moment's practice (cards are replayed up to
it); nothing here writes.
"""

from __future__ import annotations

from datetime import datetime

from services.learning.adapters.learner_stream import load_learner, load_learners
from services.learning.domain.learner import LearnerState, cards_as_of
from services.learning.domain.mastery import previous_mastered_by
from services.learning.domain.review import (
    ReviewStatus,
    lapses_at,
    retrievability,
    review_status,
)
from services.learning.domain.visibility import (
    PractitionerVisibility,
    practitioner_visibility,
    summarise_team,
)
from services.learning.handlers.context import LEARNING, LearningContext
from services.learning.handlers.teams import roster_team
from services.learning.models.reports import (
    DueReview,
    ModuleProgressView,
    ModuleStatus,
    PractitionerVisibilityReport,
    ProgressReport,
    TeamVisibilityReport,
)
from shared.problems import NotFound
from shared.service import Runtime

_STATUS_ORDER = {ReviewStatus.LAPSED: 0, ReviewStatus.DUE: 1, ReviewStatus.STRONG: 2}


async def learner_as_stored(runtime: Runtime, agency_id: str, practitioner_id: str) -> LearnerState:
    learning = LEARNING.of(runtime)
    async with learning.pool.acquire() as conn:
        learner = await load_learner(learning, conn, agency_id, practitioner_id)
    if learner.state is None:
        raise NotFound(f"practitioner {practitioner_id!r} is not enrolled in this agency")
    return learner.state


async def progress_of(
    runtime: Runtime, agency_id: str, practitioner_id: str, as_of: datetime
) -> ProgressReport:
    learning = LEARNING.of(runtime)
    state = await learner_as_stored(runtime, agency_id, practitioner_id)
    catalog = learning.catalogs.get(state.catalog_version)
    modules = []
    for module in catalog.modules:
        progress = state.progress.module(module.id)
        if progress is None:  # every module of the learner's catalog is enrolled
            continue
        attempts = [a for a in progress.attempts if a.attempted_at <= as_of]
        scores = [a.scaled_score for a in attempts if a.scaled_score is not None]
        mastery = progress.mastery if progress.mastered_as_of(as_of) else None
        status = (
            ModuleStatus.MASTERED
            if mastery
            else ModuleStatus.IN_PROGRESS
            if attempts
            else ModuleStatus.NOT_STARTED
        )
        modules.append(
            ModuleProgressView(
                module_id=module.id,
                order=module.order,
                title=module.title,
                status=status,
                attempts=len(attempts),
                best_score=max(scores) if scores else None,
                last_attempt_at=attempts[-1].attempted_at if attempts else None,
                mastered_at=mastery.mastered_at if mastery else None,
                mastering_attempt_id=mastery.attempt_id if mastery else None,
                previous_module_mastered=(
                    previous_mastered_by(state.progress, catalog, module.id, mastery.mastered_at)
                    if mastery
                    else None
                ),
            )
        )
    return ProgressReport(
        practitioner_id=practitioner_id,
        enrolled_on=state.enrolled_on,
        catalog_version=state.catalog_version,
        as_of=as_of,
        modules=modules,
    )


async def reviews_of(
    runtime: Runtime,
    agency_id: str,
    practitioner_id: str,
    as_of: datetime,
    *,
    include_strong: bool = False,
) -> list[DueReview]:
    """Cards as of `as_of`, lapsed first, then due, then (if asked) strong; lowest recall first."""
    learning = LEARNING.of(runtime)
    state = await learner_as_stored(runtime, agency_id, practitioner_id)
    catalog = learning.catalogs.get(state.catalog_version)
    policy = learning.review_policy
    reviews = []
    for concept_id, card in cards_as_of(state, as_of, policy).items():
        status = review_status(card, as_of, policy)
        if status is ReviewStatus.STRONG and not include_strong:
            continue
        concept = catalog.concept(concept_id)
        reviews.append(
            DueReview(
                concept_id=concept_id,
                module_id=catalog.module_of_concept(concept_id).id,
                competency_id=concept.competency_id,
                title=concept.title,
                status=status,
                retrievability=retrievability(card, as_of, policy),
                due_at=card.due,
                lapses_at=lapses_at(card, policy),
                last_review_at=card.last_review,
                last_rating=card.last_outcome,
                review_count=card.review_count,
            )
        )
    return sorted(reviews, key=due_review_order)


def due_review_order(review: DueReview) -> list[object]:
    """The sort (and keyset cursor) key of the due-reviews list."""
    return [_STATUS_ORDER[review.status], round(review.retrievability, 9), review.concept_id]


async def visibility_of(
    runtime: Runtime, agency_id: str, practitioner_id: str, as_of: datetime
) -> PractitionerVisibilityReport:
    learning = LEARNING.of(runtime)
    state = await learner_as_stored(runtime, agency_id, practitioner_id)
    seen = _visibility(learning, state, as_of)
    return PractitionerVisibilityReport.model_validate(seen.model_dump())


async def team_visibility_of(
    runtime: Runtime, agency_id: str, team_id: str, as_of: datetime
) -> TeamVisibilityReport:
    """The roster's team on `as_of`'s day, its members ranked shakiest first."""
    learning = LEARNING.of(runtime)
    team = await roster_team(runtime, agency_id, team_id, as_of.date())
    learners = await load_learners(learning, agency_id, team.member_ids)
    members = [_visibility(learning, learners[m], as_of) for m in team.member_ids if m in learners]
    summary = summarise_team(learning.catalogs.current, members)
    return TeamVisibilityReport.model_validate(
        {
            "team_id": team.id,
            "kind": team.kind,
            "as_of": as_of,
            "ranking": [risk.model_dump() for risk in summary.ranking],
            "by_competency": {k: v.model_dump() for k, v in summary.by_competency.items()},
            "not_enrolled": [m for m in team.member_ids if m not in learners],
        }
    )


def _visibility(
    learning: LearningContext, state: LearnerState, as_of: datetime
) -> PractitionerVisibility:
    catalog = learning.catalogs.get(state.catalog_version)
    return practitioner_visibility(
        state.practitioner_id,
        catalog,
        state.progress,
        cards_as_of(state, as_of, learning.review_policy),
        as_of,
        learning.visibility,
    )
