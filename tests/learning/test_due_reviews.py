"""GET due-reviews as of any moment: strong → due → lapsed, and back after a review."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.learning.api_builders import DAY, M1_CONCEPTS, T0
from tests.learning.learning_client import LearningApi


async def due_reviews(
    learning: LearningApi, as_of: datetime, **params: Any
) -> list[dict[str, Any]]:
    response = await learning.get("/practitioners/p-1/due-reviews", as_of=as_of, **params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_mastered_concept_reads_strong_then_due_then_lapsed_as_time_passes(
    learning: LearningApi,
) -> None:
    await learning.master("p-1", ("M1",))
    [card] = [
        c
        for c in await due_reviews(learning, T0, include_strong="true")
        if c["concept_id"] == "M1.C1"
    ]
    due_at = datetime.fromisoformat(card["due_at"])
    lapses_at = datetime.fromisoformat(card["lapses_at"])

    just_mastered = await due_reviews(learning, T0 + timedelta(hours=1))
    overdue = await due_reviews(learning, due_at + 2 * DAY)
    long_overdue = await due_reviews(learning, lapses_at + DAY)

    assert card["status"] == "strong" and card["retrievability"] == 1.0
    assert lapses_at - due_at == timedelta(days=30)  # the default grace
    assert just_mastered == []  # nothing to review yet
    assert {c["status"] for c in overdue} == {"due"}
    assert sorted(c["concept_id"] for c in overdue) == sorted(M1_CONCEPTS)
    assert all(c["retrievability"] < 0.9 for c in overdue)
    assert {c["status"] for c in long_overdue} == {"lapsed"}


async def test_a_review_makes_the_concept_strong_from_then_on_but_not_before(
    learning: LearningApi,
) -> None:
    await learning.master("p-1", ("M1",))
    reviewed_at = T0 + 10 * DAY
    review = await learning.review("p-1", "M1.C1", "good", reviewed_at)

    before = await due_reviews(learning, reviewed_at - timedelta(hours=1))
    after = await due_reviews(learning, reviewed_at + timedelta(hours=1))

    assert "M1.C1" in {c["concept_id"] for c in before}  # the past is replayed as it was
    assert "M1.C1" not in {c["concept_id"] for c in after}
    assert datetime.fromisoformat(review["next_due_at"]) > reviewed_at + 2 * DAY


async def test_due_reviews_come_lowest_recall_first_in_pages(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1", "M2"), spacing=3 * DAY)
    as_of = T0 + 20 * DAY

    first = await learning.get("/practitioners/p-1/due-reviews", as_of=as_of, limit=4)
    rest = await learning.get(
        "/practitioners/p-1/due-reviews", as_of=as_of, limit=50, cursor=first.json()["next_cursor"]
    )
    everything = await due_reviews(learning, as_of)

    pages = first.json()["items"] + rest.json()["items"]
    assert pages == everything and len(everything) == 10
    assert rest.json()["next_cursor"] is None
    recalls = [c["retrievability"] for c in everything]
    assert recalls == sorted(recalls)
    assert {c["module_id"] for c in everything[:5]} == {"M1"}  # mastered earlier, recalled less


async def test_a_review_may_give_a_score_instead_of_a_rating(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1",))
    body = {
        "practitioner_id": "p-1",
        "concept_id": "M1.C2",
        "scaled_score": 0.55,
        "reviewed_at": (T0 + 4 * DAY).isoformat(),
    }
    review = await learning.created("/reviews", body)

    assert (review["rating"], review["scaled_score"]) == ("again", 0.55)
    visibility = (await learning.get("/practitioners/p-1/visibility", as_of=T0 + 5 * DAY)).json()
    [concept] = [c for c in visibility["concepts"] if c["concept_id"] == "M1.C2"]
    assert concept["status"] == "shaky"
