"""A retry with the same id and content returns the stored record; other content is a 409."""

from __future__ import annotations

import asyncio
import uuid

from tests.learning.api_builders import DAY, T0, a_review, an_attempt, an_enrollment
from tests.learning.learning_client import LearningApi


async def test_a_repeated_attempt_is_stored_once(learning: LearningApi) -> None:
    await learning.enroll("p-1")
    body = an_attempt("p-1", "M1", 0.9, T0, id=str(uuid.uuid4()))

    first = await learning.post("/attempts", body)
    again = await learning.post("/attempts", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await learning.stored_events("assessment_attempted") == 1
    assert await learning.stored_events("module_mastered") == 1


async def test_an_attempt_id_reused_for_other_content_is_a_conflict(learning: LearningApi) -> None:
    await learning.enroll("p-1")
    attempt_id = str(uuid.uuid4())
    await learning.created("/attempts", an_attempt("p-1", score=0.9, id=attempt_id))

    response = await learning.post("/attempts", an_attempt("p-1", score=0.7, id=attempt_id))

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "use a new id" in response.json()["detail"]
    assert await learning.stored_events("assessment_attempted") == 1


async def test_enrolling_again_returns_the_enrollment_unless_the_date_differs(
    learning: LearningApi,
) -> None:
    first = await learning.enroll("p-1")

    same = await learning.post("/enrollments", an_enrollment("p-1"))
    other_day = await learning.post("/enrollments", an_enrollment("p-1", on=T0.date() + DAY))

    assert (same.status_code, same.json()) == (200, first)
    assert other_day.status_code == 409
    assert "already enrolled" in other_day.json()["detail"]
    assert await learning.stored_events("practitioner_enrolled") == 1


async def test_a_repeated_review_is_stored_once(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1",))
    body = a_review("p-1", "M1.C1", "hard", T0 + 3 * DAY, id=str(uuid.uuid4()))

    first = await learning.post("/reviews", body)
    again = await learning.post("/reviews", body)
    changed = await learning.post("/reviews", {**body, "rating": "easy"})

    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert await learning.stored_events("concept_reviewed") == 1


async def test_the_same_attempt_sent_twice_at_once_is_stored_once(learning: LearningApi) -> None:
    await learning.enroll("p-1")
    body = an_attempt("p-1", "M1", 0.9, T0, id=str(uuid.uuid4()))

    answers = await asyncio.gather(*(learning.post("/attempts", body) for _ in range(3)))

    assert sorted(a.status_code for a in answers) == [200, 200, 201]
    assert await learning.stored_events("module_mastered") == 1
