"""FSRS-derived review status of mastered concepts, and the score → outcome mapping."""

from __future__ import annotations

import json

import pytest

from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import (
    CardNewerThanAsOfError,
    ReviewBeforeMasteryError,
    ReviewOutOfOrderError,
    ScoreOutOfRangeError,
)
from services.learning.domain.review import (
    ConceptCard,
    ConceptReview,
    ReviewOutcome,
    ReviewPolicy,
    ReviewStatus,
    apply_review,
    lapses_at,
    outcome_for_score,
    replay_card,
    retrievability,
    review_status,
    start_card,
)
from tests.learning.unit.learning_builders import DAY, T0, cards_for, days

AGAIN, HARD, GOOD, EASY = (
    ReviewOutcome.AGAIN,
    ReviewOutcome.HARD,
    ReviewOutcome.GOOD,
    ReviewOutcome.EASY,
)


@pytest.mark.parametrize(
    ("score", "outcome"),
    [
        (0.0, AGAIN),
        (0.5999, AGAIN),
        (0.60, HARD),
        (0.7499, HARD),
        (0.75, GOOD),
        (0.8999, GOOD),
        (0.90, EASY),
        (1.0, EASY),
    ],
)
def test_review_score_maps_to_an_outcome_by_band(score: float, outcome: ReviewOutcome) -> None:
    assert outcome_for_score(score) is outcome


def test_review_score_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ScoreOutOfRangeError):
        outcome_for_score(1.5)


def test_mastery_counts_as_a_first_good_review() -> None:
    card = start_card("M1.C1", T0)
    assert (card.last_review, card.last_outcome, card.review_count) == (T0, GOOD, 0)
    assert card.due > T0
    assert retrievability(card, T0) == 1.0


def test_concept_goes_strong_then_due_then_lapsed_without_review() -> None:
    card = start_card("M1.C1", T0)
    grace = ReviewPolicy().lapse_grace

    assert review_status(card, T0 + DAY) is ReviewStatus.STRONG
    # A whole day past the scheduled review, recall has dropped below 0.9.
    assert review_status(card, card.due + DAY) is ReviewStatus.DUE
    assert retrievability(card, card.due + DAY) < 0.9
    # Overdue by exactly the grace is still only due; by more, lapsed.
    assert review_status(card, card.due + grace) is ReviewStatus.DUE
    assert review_status(card, card.due + grace + DAY) is ReviewStatus.LAPSED
    assert lapses_at(card) == card.due + grace


def test_good_review_brings_a_lapsed_concept_back_to_strong() -> None:
    card = start_card("M1.C1", T0)
    review_day = T0 + 60 * DAY
    assert review_status(card, review_day) is ReviewStatus.LAPSED

    reviewed = apply_review(card, GOOD, review_day)

    assert review_status(reviewed, review_day + DAY) is ReviewStatus.STRONG
    assert reviewed.due > review_day
    assert reviewed.review_count == 1


def test_successful_reviews_stretch_the_interval_and_a_failure_shrinks_it() -> None:
    card = start_card("M1.C1", T0)
    first_interval = card.due - card.last_review
    good = apply_review(card, GOOD, card.due)
    again = apply_review(card, AGAIN, card.due)
    assert good.due - good.last_review > first_interval
    assert again.stability < card.stability < good.stability


def test_lower_desired_retention_schedules_later_reviews() -> None:
    relaxed = ReviewPolicy(desired_retention=0.8)
    assert start_card("M1.C1", T0, relaxed).due > start_card("M1.C1", T0).due


def test_same_review_history_replays_to_the_same_card() -> None:
    history = [
        ConceptReview(concept_id="M1.C1", outcome=GOOD, reviewed_at=T0 + 3 * DAY),
        ConceptReview(concept_id="M1.C1", outcome=AGAIN, reviewed_at=T0 + 20 * DAY),
        ConceptReview(concept_id="M1.C1", outcome=HARD, reviewed_at=T0 + 21 * DAY),
        ConceptReview(concept_id="M2.C1", outcome=EASY, reviewed_at=T0 + 22 * DAY),
    ]
    incremental = start_card("M1.C1", T0)
    for review in history[:3]:
        incremental = apply_review(incremental, review.outcome, review.reviewed_at)

    assert replay_card("M1.C1", T0, history) == incremental
    assert replay_card("M1.C1", T0, list(reversed(history))) == incremental


def test_replay_until_a_date_ignores_later_reviews() -> None:
    history = [
        ConceptReview(concept_id="M1.C1", outcome=GOOD, reviewed_at=T0 + 3 * DAY),
        ConceptReview(concept_id="M1.C1", outcome=AGAIN, reviewed_at=T0 + 20 * DAY),
    ]
    assert replay_card("M1.C1", T0, history, until=T0 + 10 * DAY) == apply_review(
        start_card("M1.C1", T0), GOOD, T0 + 3 * DAY
    )


def test_card_survives_a_json_round_trip() -> None:
    card = apply_review(start_card("M4.C4", T0), HARD, T0 + 5 * DAY)
    stored = json.dumps(card.model_dump(mode="json"))
    restored = ConceptCard.model_validate(json.loads(stored))
    assert restored == card
    assert retrievability(restored, T0 + 9 * DAY) == retrievability(card, T0 + 9 * DAY)
    assert apply_review(restored, GOOD, T0 + 9 * DAY) == apply_review(card, GOOD, T0 + 9 * DAY)


def test_review_older_than_the_last_review_must_be_replayed() -> None:
    card = apply_review(start_card("M1.C1", T0), GOOD, T0 + 5 * DAY)
    with pytest.raises(ReviewOutOfOrderError, match="replay_card"):
        apply_review(card, GOOD, T0 + 4 * DAY)


def test_review_before_mastery_is_refused_on_a_card_and_left_out_of_a_replay() -> None:
    with pytest.raises(ReviewBeforeMasteryError):
        apply_review(start_card("M1.C1", T0), GOOD, T0 - DAY)
    early = ConceptReview(concept_id="M1.C1", outcome=AGAIN, reviewed_at=T0 - DAY)
    assert replay_card("M1.C1", T0, [early]) == start_card("M1.C1", T0)


def test_status_before_the_last_review_is_refused() -> None:
    card = apply_review(start_card("M1.C1", T0), GOOD, T0 + 5 * DAY)
    with pytest.raises(CardNewerThanAsOfError, match="until=as_of"):
        review_status(card, T0 + days(2))


def test_mastered_module_gives_every_concept_a_card(catalog: Catalog) -> None:
    cards = cards_for(catalog, "M2", T0)
    assert sorted(cards) == ["M2.C1", "M2.C2", "M2.C3", "M2.C4", "M2.C5"]
    assert all(card.mastered_at == T0 and card.concept_id == cid for cid, card in cards.items())
