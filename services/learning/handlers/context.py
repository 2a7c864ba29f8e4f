"""What the learning use cases need beyond the kernel's `Runtime`, built once at start-up.

The composition root puts it in the runtime (`LEARNING.put`); handlers take the
`Runtime` like every service's and read it with `LEARNING.of(runtime)`, so the REST API,
the xAPI LRS and the periodic lapse check share one write path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.learning.adapters.folded_learners import FoldedLearners
from services.learning.config import LearningSettings
from services.learning.domain.catalog_book import CatalogBook
from services.learning.domain.review import ReviewPolicy
from services.learning.domain.visibility import VisibilityPolicy
from shared.database import Connection, Pool
from shared.eventstore import EventStore
from shared.extras import RuntimeExtra
from shared.practice_time import now_utc

# (runtime, conn, agency_id, practitioner_id) after a new enrollment, in its transaction
EnrollmentHook = Callable[[Any, Connection, str, str], Awaitable[object]]


@dataclass(frozen=True)
class LearningContext:
    store: EventStore
    catalogs: CatalogBook
    visibility: VisibilityPolicy
    clock: Callable[[], datetime] = now_utc
    folded: FoldedLearners = field(default_factory=FoldedLearners)
    # what else a new enrollment sets off (the LRS judges the learner's pending Statements)
    on_enrolled: list[EnrollmentHook] = field(default_factory=list)
    # what a practitioner's registration on the roster sets off (same arguments, in the
    # roster consumer's transaction): the LRS judges the Statements that waited for them;
    # called only when the agency has a pending Statement (nothing else can wait)
    on_registered: list[EnrollmentHook] = field(default_factory=list)

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


LEARNING: RuntimeExtra[LearningContext] = RuntimeExtra("learning")
