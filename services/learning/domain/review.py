"""Spaced review of mastered concepts, scheduled by FSRS (the ``fsrs`` package).

Choices, and why:

* **Mastery is the first review.** When a module is mastered every one of its
  concepts gets a card whose first review is a ``Good`` at the mastery date: passing
  the assessment is a successful recall, and without a first review FSRS has no
  stability, hence no schedule. (With default weights the first interval is 2 days.)
* **No learning or relearning steps.** FSRS's default minute-long steps suit flash
  cards drilled in one sitting; our reviews are days apart. Without steps a card is
  always in FSRS's Review state and every interval is a whole number of days.
* **No fuzzing.** Fuzz is random; with it off the same review history always gives
  the same card, so a card can be rebuilt from the log (:func:`replay_card`).
* **Status** as of any datetime, worst first:
  *lapsed* — overdue by more than the grace (default 30 days), where
  ``overdue = as_of - card.due`` (``due`` is the date FSRS scheduled the next
  review for); *due* — recall probability (retrievability) below the desired
  retention (default 0.9); *strong* — otherwise. FSRS rounds intervals to whole
  days, so recall crosses the retention on or within a day after ``due``; a card
  can therefore read *strong* on its due day and *due* the day after.
* **Score → outcome:** ``< 0.60`` Again, ``< 0.75`` Hard, ``< 0.90`` Good, else Easy.
  0.60 is the usual "recalled at all" bar; Easy needs near-perfect recall so it is
  rare and does not stretch intervals on a lucky guess. Only *Again* is a failure.

Cards are pydantic values: ``card.model_dump(mode="json")`` stores one and
``ConceptCard.model_validate(data)`` restores it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from fsrs import Card, Rating, Scheduler, State
from pydantic import Field

from services.learning.domain.catalog import Module
from services.learning.domain.errors import (
    CardNewerThanAsOfError,
    ReviewBeforeMasteryError,
    ReviewOutOfOrderError,
)
from services.learning.domain.mastery import require_scaled_score
from services.learning.domain.practice_time import PracticeDate, as_utc
from services.learning.domain.value_object import FrozenModel


class ReviewOutcome(StrEnum):
    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"

    @property
    def failed(self) -> bool:
        return self is ReviewOutcome.AGAIN


_FSRS_RATING = {
    ReviewOutcome.AGAIN: Rating.Again,
    ReviewOutcome.HARD: Rating.Hard,
    ReviewOutcome.GOOD: Rating.Good,
    ReviewOutcome.EASY: Rating.Easy,
}

# Lower bound of each outcome's score band, highest first.
_SCORE_BANDS = (
    (0.90, ReviewOutcome.EASY),
    (0.75, ReviewOutcome.GOOD),
    (0.60, ReviewOutcome.HARD),
)


def outcome_for_score(scaled_score: float) -> ReviewOutcome:
    """Map a 0..1 review score to an FSRS outcome (bands in the module docstring)."""
    require_scaled_score(scaled_score)
    for lower_bound, outcome in _SCORE_BANDS:
        if scaled_score >= lower_bound:
            return outcome
    return ReviewOutcome.AGAIN


class ReviewStatus(StrEnum):
    STRONG = "strong"
    DUE = "due"
    LAPSED = "lapsed"


class ReviewPolicy(FrozenModel):
    """The tunable part of the schedule; part of the learning policy's data."""

    desired_retention: float = Field(default=0.9, gt=0.0, lt=1.0)
    lapse_grace: timedelta = Field(default=timedelta(days=30), ge=timedelta(0))

    def scheduler(self) -> Scheduler:
        return Scheduler(
            desired_retention=self.desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )


DEFAULT_REVIEW_POLICY = ReviewPolicy()


class ConceptCard(FrozenModel):
    """One practitioner's memory of one concept: the FSRS card plus what we need to show."""

    concept_id: str
    mastered_at: PracticeDate
    stability: float
    difficulty: float
    due: PracticeDate
    last_review: PracticeDate
    last_outcome: ReviewOutcome
    # Reviews after the mastery (which counts as the first, implicit one).
    review_count: int = 0


class ConceptReview(FrozenModel):
    """A review of a concept reported by the LMS (or a coach), at its practice date."""

    concept_id: str
    outcome: ReviewOutcome
    reviewed_at: PracticeDate


def start_card(
    concept_id: str, mastered_at: datetime, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY
) -> ConceptCard:
    """The card a concept gets when its module is mastered at ``mastered_at``."""
    mastered = as_utc(mastered_at)
    # card_id is FSRS's own key (it defaults to the wall clock); identity lives in
    # concept_id and the practitioner, so a constant keeps replays identical.
    fresh = Card(card_id=0, due=mastered)
    reviewed, _ = policy.scheduler().review_card(fresh, Rating.Good, mastered)
    return _from_fsrs(concept_id, mastered, reviewed, ReviewOutcome.GOOD, review_count=0)


def start_cards_for_module(
    module: Module, mastered_at: datetime, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY
) -> dict[str, ConceptCard]:
    """A new card for every concept of a module mastered at ``mastered_at``."""
    return {cid: start_card(cid, mastered_at, policy) for cid in module.concept_ids}


def apply_review(
    card: ConceptCard,
    outcome: ReviewOutcome,
    reviewed_at: datetime,
    policy: ReviewPolicy = DEFAULT_REVIEW_POLICY,
) -> ConceptCard:
    """The card after one more review; refuses a review older than the card's last one."""
    reviewed = as_utc(reviewed_at)
    if reviewed < card.mastered_at:
        raise ReviewBeforeMasteryError(card.concept_id, reviewed, card.mastered_at)
    if reviewed < card.last_review:
        raise ReviewOutOfOrderError(card.concept_id, reviewed, card.last_review)
    updated, _ = policy.scheduler().review_card(_to_fsrs(card), _FSRS_RATING[outcome], reviewed)
    return _from_fsrs(
        card.concept_id, card.mastered_at, updated, outcome, review_count=card.review_count + 1
    )


def replay_card(
    concept_id: str,
    mastered_at: datetime,
    reviews: Iterable[ConceptReview],
    policy: ReviewPolicy = DEFAULT_REVIEW_POLICY,
    until: datetime | None = None,
) -> ConceptCard:
    """Rebuild a card from its history, e.g. after a back-dated review or to look "as of".

    Reviews of other concepts are skipped, so a practitioner's whole review history
    may be passed; so are reviews after ``until`` and reviews dated before the mastery
    (the card starts at the mastery). This is the card "as of" ``until``: a pure
    function of the history, whatever order the reviews arrived in.
    """
    limit = as_utc(until) if until is not None else None
    card = start_card(concept_id, mastered_at, policy)
    for review in reviews_since_mastery(concept_id, mastered_at, reviews):
        if limit is not None and review.reviewed_at > limit:
            break
        card = apply_review(card, review.outcome, review.reviewed_at, policy)
    return card


def reviews_since_mastery(
    concept_id: str, mastered_at: datetime, reviews: Iterable[ConceptReview]
) -> list[ConceptReview]:
    """The concept's reviews that count on its card, in practice-date order (ties by outcome).

    A review dated before the mastery is kept in the history but is no part of the
    schedule: mastery is the card's first review.
    """
    mastered = as_utc(mastered_at)
    relevant = [r for r in reviews if r.concept_id == concept_id and r.reviewed_at >= mastered]
    relevant.sort(key=review_order)
    return relevant


def review_order(review: ConceptReview) -> tuple[datetime, Rating]:
    """Where a review sorts in its card's history: practice date, ties by outcome."""
    return (review.reviewed_at, _FSRS_RATING[review.outcome])


def retrievability(
    card: ConceptCard, as_of: datetime, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY
) -> float:
    """FSRS's predicted probability of recalling the concept at ``as_of`` (0..1)."""
    moment = _checked_as_of(card, as_of)
    return float(policy.scheduler().get_card_retrievability(_to_fsrs(card), moment))


def overdue_by(card: ConceptCard, as_of: datetime) -> timedelta:
    """How long past its scheduled review the card is; negative while not yet due."""
    return as_utc(as_of) - card.due


def lapses_at(card: ConceptCard, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY) -> datetime:
    """The instant after which the card counts as lapsed if it is not reviewed."""
    return card.due + policy.lapse_grace


def review_status(
    card: ConceptCard, as_of: datetime, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY
) -> ReviewStatus:
    """Strong, due or lapsed at ``as_of`` (definitions in the module docstring)."""
    moment = _checked_as_of(card, as_of)
    if overdue_by(card, moment) > policy.lapse_grace:
        return ReviewStatus.LAPSED
    if retrievability(card, moment, policy) < policy.desired_retention:
        return ReviewStatus.DUE
    return ReviewStatus.STRONG


def _checked_as_of(card: ConceptCard, as_of: datetime) -> datetime:
    # A card knows only its latest state; asking about a time before its last review
    # would silently use later knowledge, so the caller must replay instead.
    moment = as_utc(as_of)
    if moment < card.last_review:
        raise CardNewerThanAsOfError(card.concept_id, card.last_review, moment)
    return moment


def _to_fsrs(card: ConceptCard) -> Card:
    return Card(
        card_id=0,
        state=State.Review,
        step=None,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _from_fsrs(
    concept_id: str,
    mastered_at: datetime,
    card: Card,
    outcome: ReviewOutcome,
    review_count: int,
) -> ConceptCard:
    # Without learning steps FSRS puts every reviewed card in Review state; a card in
    # any other state would mean the scheduler configuration changed under us.
    if card.state != State.Review or card.stability is None or card.difficulty is None:
        raise RuntimeError(f"FSRS left card {concept_id} in state {card.state.name}")
    if card.last_review is None:
        raise RuntimeError(f"FSRS returned card {concept_id} without a last review")
    return ConceptCard(
        concept_id=concept_id,
        mastered_at=mastered_at,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        last_outcome=outcome,
        review_count=review_count,
    )
