"""Data builders for the learning unit tests, so scenarios read as a story."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import count

from services.learning.domain.catalog import Catalog
from services.learning.domain.mastery import Attempt, LearnerProgress, enroll, record_attempt
from services.learning.domain.review import ConceptCard, start_cards_for_module

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)

_attempt_ids = count(1)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def an_attempt(module_id: str, score: float, at: datetime) -> Attempt:
    return Attempt(
        attempt_id=f"attempt-{next(_attempt_ids)}",
        module_id=module_id,
        scaled_score=score,
        attempted_at=at,
    )


def enrolled(
    catalog: Catalog, at: datetime, module_ids: Iterable[str] | None = None
) -> LearnerProgress:
    progress = LearnerProgress()
    for module_id in module_ids or [m.id for m in catalog.modules]:
        progress = enroll(progress, module_id, at, catalog)
    return progress


def mastered(
    catalog: Catalog, progress: LearnerProgress, module_id: str, at: datetime, score: float = 0.9
) -> LearnerProgress:
    progress, outcome = record_attempt(progress, an_attempt(module_id, score, at), catalog)
    assert outcome.newly_mastered, "builder expected the attempt to master the module"
    return progress


def cards_for(catalog: Catalog, module_id: str, mastered_at: datetime) -> dict[str, ConceptCard]:
    return start_cards_for_module(catalog.module(module_id), mastered_at)
