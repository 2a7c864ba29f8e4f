"""Bad input answers 4xx problem+json that says what to fix, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.learning.api_builders import (
    DAY,
    ENROLLED_ON,
    a_review,
    an_attempt,
    an_enrollment,
)
from tests.learning.learning_client import LearningApi

TOMORROW = datetime.now(UTC) + timedelta(days=1)

Body = Callable[[], dict[str, Any]]
CASES: list[tuple[str, str, Body, int, str]] = [
    # (case, path, body, status, what the detail must say)
    ("unknown module", "/attempts", lambda: an_attempt("p-1", "M9"), 422, "'M9' is not in catalog"),
    ("score above 1", "/attempts", lambda: an_attempt("p-1", score=1.5), 422, "outside 0..1"),
    ("score below 0", "/attempts", lambda: an_attempt("p-1", score=-0.1), 422, "outside 0..1"),
    ("percentage score", "/attempts", lambda: an_attempt("p-1", score=86), 422, "scaled score"),
    (
        "attempt before enrollment", "/attempts",
        lambda: an_attempt("p-1", at=datetime(2025, 3, 2, 23, tzinfo=UTC)), 409,
        "precedes the enrollment",
    ),
    ("attempt in the future", "/attempts", lambda: an_attempt("p-1", at=TOMORROW), 422, "future"),
    (
        "attempt without offset", "/attempts",
        lambda: an_attempt("p-1", attempted_at="2025-03-10T09:00:00"), 422, "timezone",
    ),
    ("practitioner not enrolled", "/attempts", lambda: an_attempt("p-2"), 409, "not enrolled"),
    (
        "misspelt field", "/attempts",
        lambda: {**an_attempt("p-1"), "score": 0.9}, 422, "score: Extra inputs",
    ),
    ("attempt id not a uuid", "/attempts", lambda: an_attempt("p-1", id="a-1"), 422, "id:"),
    (
        "enrollment in the future", "/enrollments",
        lambda: an_enrollment("p-2", TOMORROW.date() + DAY), 422, "future",
    ),
    (
        "unknown catalog version", "/enrollments",
        lambda: an_enrollment("p-2", catalog_version="1999.9"), 422, "'1999.9' does not exist",
    ),
    (
        "practitioner id with a space", "/enrollments",
        lambda: an_enrollment("p 2"), 422, "practitioner_id",
    ),
    ("unknown concept", "/reviews", lambda: a_review("p-1", "M1.C99"), 422, "'M1.C99' is not in"),
    ("review without rating", "/reviews", lambda: a_review("p-1", rating=None), 422, "exactly one"),
    (
        "review with rating and score", "/reviews",
        lambda: a_review("p-1", scaled_score=0.7), 422, "exactly one",
    ),
    ("unknown rating", "/reviews", lambda: a_review("p-1", rating="perfect"), 422, "rating"),
    ("review in the future", "/reviews", lambda: a_review("p-1", at=TOMORROW), 422, "future"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_bad_input_is_refused_with_a_problem_and_nothing_is_stored(
    learning: LearningApi, path: str, body: Body, status: int, detail: str
) -> None:
    await learning.master("p-1", ("M1",))  # enrolled on ENROLLED_ON, M1 mastered at T0
    stored_before = await learning.stored_events()

    response = await learning.post(path, body())

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert detail in problem["detail"], problem
    assert problem["status"] == status and problem["title"]
    assert await learning.stored_events() == stored_before
    assert len((await learning.get("/attempts")).json()["items"]) == 1
    assert (await learning.get("/reviews")).json()["items"] == []
    assert [e["practitioner_id"] for e in (await learning.get("/enrollments")).json()["items"]] == [
        "p-1"
    ]


async def test_an_attempt_on_the_enrollment_day_is_not_before_the_enrollment(
    learning: LearningApi,
) -> None:
    await learning.enroll("p-1")
    early = datetime.combine(ENROLLED_ON, datetime.min.time(), tzinfo=UTC)

    response = await learning.post("/attempts", an_attempt("p-1", at=early))

    assert response.status_code == 201, response.text


async def test_a_bad_cursor_is_refused_with_a_problem(learning: LearningApi) -> None:
    response = await learning.get("/attempts", cursor="not-a-cursor")

    assert response.status_code == 400
    assert "next_cursor" in response.json()["detail"]
