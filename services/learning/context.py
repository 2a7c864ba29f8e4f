"""What every learning use case needs, built once at start-up by the composition root.

Handlers take it as their first argument, so the REST API, the xAPI LRS and the
periodic lapse check share one write path; tests build one with their own clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from services.learning.adapters.folded_learners import FoldedLearners
from services.learning.config import LearningSettings
from services.learning.domain.catalog_book import CatalogBook
from services.learning.domain.review import ReviewPolicy
from services.learning.domain.visibility import VisibilityPolicy
from shared.database import Pool
from shared.eventstore import EventStore
from shared.practice_time import now_utc
from shared.service import Runtime

EXTRAS_KEY = "learning"


@dataclass(frozen=True)
class LearningContext:
    store: EventStore
    catalogs: CatalogBook
    visibility: VisibilityPolicy
    clock: Callable[[], datetime] = now_utc
    folded: FoldedLearners = field(default_factory=FoldedLearners)

    @property
    def pool(self) -> Pool:
        return self.store.pool

    @property
    def review_policy(self) -> ReviewPolicy:
        return self.visibility.review


def visibility_policy(settings: LearningSettings) -> VisibilityPolicy:
    return VisibilityPolicy(
        review=ReviewPolicy(
            desired_retention=settings.desired_retention,
            lapse_grace=timedelta(days=settings.lapse_grace_days),
        ),
        recent_failure_window=timedelta(days=settings.recent_failure_days),
    )


def learning_of(runtime: Runtime) -> LearningContext:
    learning: LearningContext = runtime.extras[EXTRAS_KEY]
    return learning


def get_learning(request: Request) -> LearningContext:
    return learning_of(request.app.state.runtime)


LearningDep = Annotated[LearningContext, Depends(get_learning)]
