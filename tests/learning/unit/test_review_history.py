"""A review history memoises each card's lapse scan and grows it a review at a time:
the lapses it implies are those a full replay of the history implies, in any order."""

from __future__ import annotations

import random
from datetime import timedelta

from services.learning.domain.lapse_history import (
    ReviewHistory,
    implied_lapses,
    review_history,
    with_review,
)
from services.learning.domain.review import ConceptReview, ReviewOutcome, ReviewPolicy
from tests.learning.unit.learning_builders import DAY, T0

POLICY = ReviewPolicy()
OUTCOMES = list(ReviewOutcome)


def review(concept_id: str, at_days: float, outcome: ReviewOutcome) -> ConceptReview:
    return ConceptReview(
        concept_id=concept_id, outcome=outcome, reviewed_at=T0 + timedelta(days=at_days)
    )


def test_lapses_from_a_grown_history_are_those_a_full_replay_implies() -> None:
    rng = random.Random(14)
    history: ReviewHistory = review_history()
    plain: tuple[ConceptReview, ...] = ()
    mastered = {"C1": T0, "C2": T0 + 20 * DAY}
    day = 0.0
    for n in range(120):
        # mostly later than the last (the live case), sometimes back-dated, tied or
        # before the mastery; two concepts interleaved
        day += rng.choice([1, 5, 20, 45, 90])
        at = day if rng.random() < 0.8 else rng.choice([day, max(0.0, day - 60), -3.0])
        added = review(rng.choice(["C1", "C2"]), at, rng.choice(OUTCOMES))
        history, plain = with_review(history, added), (*plain, added)
        now = T0 + (day + rng.choice([0, 40, 200])) * DAY
        for concept_id, mastered_at in mastered.items():
            if n % 3 == 0 or concept_id == added.concept_id:
                assert implied_lapses(
                    concept_id, mastered_at, history, now, POLICY
                ) == implied_lapses(concept_id, mastered_at, plain, now, POLICY), n
    assert history == plain


def test_a_review_of_another_concept_keeps_the_scan_already_made() -> None:
    history = review_history((review("C1", 3, ReviewOutcome.GOOD),))
    implied_lapses("C1", T0, history, T0 + 400 * DAY, POLICY)
    [scan] = history.scans.values()

    grown = with_review(history, review("C2", 5, ReviewOutcome.AGAIN))

    assert list(grown.scans.values()) == [scan]


def test_a_back_dated_review_drops_the_scan_and_the_next_scan_counts_it() -> None:
    history = review_history((review("C1", 10, ReviewOutcome.GOOD),))
    before = implied_lapses("C1", T0, history, T0 + 400 * DAY, POLICY)

    grown = with_review(history, review("C1", 2, ReviewOutcome.AGAIN))

    assert grown.scans == {}
    after = implied_lapses("C1", T0, grown, T0 + 400 * DAY, POLICY)
    assert after == implied_lapses("C1", T0, tuple(grown), T0 + 400 * DAY, POLICY)
    assert after != before
