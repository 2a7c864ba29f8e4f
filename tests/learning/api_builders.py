"""Request bodies for the learning API, with defaults, so tests state only what matters.

Dates default to the spring of 2025 — well in the past, as imported history is — so
every "as of" and lapse-check clock a test picks stays before the real now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.learning.domain.seed_catalog import SEED_CATALOG

ENROLLED_ON = date(2025, 3, 3)
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # a week after enrolling
DAY = timedelta(days=1)
CORE_MODULES = ("M1", "M2", "M3", "M4", "M5", "M6")
M1_CONCEPTS = SEED_CATALOG.module("M1").concept_ids


def an_enrollment(practitioner_id: str, on: date = ENROLLED_ON, **overrides: Any) -> dict[str, Any]:
    return {"practitioner_id": practitioner_id, "enrolled_on": on.isoformat(), **overrides}


def an_attempt(
    practitioner_id: str,
    module_id: str = "M1",
    score: float = 0.9,
    at: datetime = T0,
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "practitioner_id": practitioner_id,
        "module_id": module_id,
        "scaled_score": score,
        "attempted_at": at.isoformat(),
        **overrides,
    }


def a_review(
    practitioner_id: str,
    concept_id: str = "M1.C1",
    rating: str | None = "good",
    at: datetime = T0 + 5 * DAY,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "practitioner_id": practitioner_id,
        "concept_id": concept_id,
        "reviewed_at": at.isoformat(),
    }
    if rating is not None:
        body["rating"] = rating
    return {**body, **overrides}
