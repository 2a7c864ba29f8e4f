"""The lapses a review history implies, and what to announce so the record matches it.

A concept's FSRS card at any moment is a pure function of its mastery date and the
reviews dated since (``replay_card``), so its lapses are too: walking the reviews in
practice-date order, the card lapses when the next review comes later than
``lapses_at(card)`` (its due date plus the grace), and that review restores it; after
the last review it is lapsed once ``now`` is past ``lapses_at``. Each lapse carries its
true practice dates, whenever the reviews arrive.

:func:`reconcile_lapses` compares that with what was announced and says what to
announce, what to restore and what to withdraw, so an out-of-order import shows its
lapses at once and a review that arrives late takes back a lapse that never happened.
Lapse episodes keep the identity of ``lapse.py``: (concept, the card's due date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import NamedTuple, TypeAlias

from fsrs import Rating

from services.learning.domain.lapse import LapseEpisode, lapse_episode
from services.learning.domain.practice_time import PracticeDate, as_utc
from services.learning.domain.review import (
    DEFAULT_REVIEW_POLICY,
    ConceptCard,
    ConceptReview,
    ReviewPolicy,
    apply_review,
    lapses_at,
    review_order,
    reviews_since_mastery,
    start_card,
)
from services.learning.domain.value_object import FrozenModel


class ImpliedLapse(FrozenModel):
    """One lapse the history implies: when it began and the review that ended it, if any."""

    episode: LapseEpisode
    lapsed_at: PracticeDate
    restored_at: PracticeDate | None

    @property
    def concept_id(self) -> str:
        return self.episode.concept_id

    @property
    def lapsed_on(self) -> date:
        return self.lapsed_at.date()

    @property
    def restored_on(self) -> date | None:
        return self.restored_at.date() if self.restored_at is not None else None


class AnnouncedLapse(FrozenModel):
    """What the learner's stream has said about one episode so far."""

    lapsed_on: date
    restored_on: date | None = None


class LapseChanges(FrozenModel):
    """The events that bring the announcements in line with the history."""

    withdrawn: tuple[LapseEpisode, ...] = ()  # announced, but not (so) implied
    lapsed: tuple[ImpliedLapse, ...] = ()  # announce the lapse (and its restoration, if any)
    restored: tuple[ImpliedLapse, ...] = ()  # announced open, now ended by a review

    def __bool__(self) -> bool:
        return bool(self.withdrawn or self.lapsed or self.restored)


def implied_lapses(
    concept_id: str,
    mastered_at: datetime,
    reviews: Iterable[ConceptReview],
    now: datetime,
    policy: ReviewPolicy = DEFAULT_REVIEW_POLICY,
) -> list[ImpliedLapse]:
    """Every lapse of the concept the reviews imply, oldest first; the last may be open.

    ``now`` only decides whether the card has lapsed since its last review: reviews are
    never in the future, so all of them count.
    """
    scan = _lapse_scan(concept_id, mastered_at, reviews, policy)
    found = list(scan.lapses)
    if as_utc(now) > lapses_at(scan.card, policy):
        found.append(
            ImpliedLapse(
                episode=lapse_episode(scan.card),
                lapsed_at=lapses_at(scan.card, policy),
                restored_at=None,
            )
        )
    return found


class _LapseScan(NamedTuple):
    """A card's reviews walked in order: the card after them, the lapses they ended."""

    card: ConceptCard
    lapses: tuple[ImpliedLapse, ...]
    last: tuple[datetime, Rating] | None  # `review_order` of the last review walked


# (concept id, mastery date in UTC, policy): what a scan of a history depends on
_ScanKey: TypeAlias = tuple[str, datetime, ReviewPolicy]


class ReviewHistory(tuple[ConceptReview, ...]):
    """A learner's reviews in arrival order (a tuple), with each card's lapse scan over
    them memoised: the tuple never changes, so neither does a scan of it. Without it
    every write replayed each card's whole review history through FSRS to find its
    lapses; with it a write walks only the reviews it adds (`with_review`)."""

    scans: dict[_ScanKey, _LapseScan]


def review_history(reviews: tuple[ConceptReview, ...] = ()) -> ReviewHistory:
    """``reviews`` as a history that memoises its scans (none scanned yet)."""
    if isinstance(reviews, ReviewHistory):
        return reviews
    history = ReviewHistory(reviews)
    history.scans = {}
    return history


def with_review(reviews: tuple[ConceptReview, ...], review: ConceptReview) -> ReviewHistory:
    """``reviews`` and one more (arrived last). The scans of other concepts, or of
    masteries after it, carry over; its concept's go one step further when it sorts
    last among the reviews they walked (a stable sort keeps the latest arrival last
    among equals), else they are dropped and scanned again when asked."""
    history = ReviewHistory(reviews + (review,))  # noqa: RUF005 (one copy, as in attempts)
    history.scans = {}
    scans = reviews.scans if isinstance(reviews, ReviewHistory) else {}
    for key, scan in scans.items():
        concept_id, mastered_at, policy = key
        if review.concept_id != concept_id or review.reviewed_at < mastered_at:
            history.scans[key] = scan
        elif scan.last is None or review_order(review) >= scan.last:
            history.scans[key] = _step(scan, review, policy)
    return history


def _lapse_scan(
    concept_id: str, mastered_at: datetime, reviews: Iterable[ConceptReview], policy: ReviewPolicy
) -> _LapseScan:
    key = (concept_id, as_utc(mastered_at), policy)
    scans = reviews.scans if isinstance(reviews, ReviewHistory) else None
    known = scans.get(key) if scans is not None else None
    if known is not None:
        return known
    scan = _LapseScan(start_card(concept_id, mastered_at, policy), (), None)
    for review in reviews_since_mastery(concept_id, mastered_at, reviews):
        scan = _step(scan, review, policy)
    if scans is not None:
        scans[key] = scan
    return scan


def _step(scan: _LapseScan, review: ConceptReview, policy: ReviewPolicy) -> _LapseScan:
    """The scan after one more review: the card lapsed when the review came later than
    `lapses_at(card)`, and the review restored it."""
    lapses = scan.lapses
    lapsed_at = lapses_at(scan.card, policy)
    if review.reviewed_at > lapsed_at:
        lapse = ImpliedLapse(
            episode=lapse_episode(scan.card), lapsed_at=lapsed_at, restored_at=review.reviewed_at
        )
        lapses = (*lapses, lapse)
    card = apply_review(scan.card, review.outcome, review.reviewed_at, policy)
    return _LapseScan(card, lapses, review_order(review))


def reconcile_lapses(
    announced: Mapping[LapseEpisode, AnnouncedLapse], implied: Iterable[ImpliedLapse]
) -> LapseChanges:
    """What to withdraw, announce and restore so that the announcements equal ``implied``.

    An open announced lapse that a review now ends is restored (the usual, live case);
    any other difference withdraws the episode and announces it again as it now reads.
    """
    implied_by = {lapse.episode: lapse for lapse in implied}
    withdrawn: list[LapseEpisode] = []
    lapsed: list[ImpliedLapse] = []
    restored: list[ImpliedLapse] = []
    for episode, known in announced.items():
        lapse = implied_by.get(episode)
        if lapse is None or lapse.lapsed_on != known.lapsed_on:
            withdrawn.append(episode)
            if lapse is not None:
                lapsed.append(lapse)
        elif known.restored_on is None and lapse.restored_on is not None:
            restored.append(lapse)
        elif known.restored_on != lapse.restored_on:
            withdrawn.append(episode)
            lapsed.append(lapse)
    lapsed.extend(lapse for episode, lapse in implied_by.items() if episode not in announced)

    def in_time(lapse: ImpliedLapse) -> tuple[datetime, str]:
        return (lapse.lapsed_at, lapse.concept_id)

    return LapseChanges(
        withdrawn=tuple(sorted(withdrawn, key=lambda e: (e.due, e.concept_id))),
        lapsed=tuple(sorted(lapsed, key=in_time)),
        restored=tuple(sorted(restored, key=in_time)),
    )


def restore_lapse(
    lapses: Mapping[LapseEpisode, AnnouncedLapse], concept_id: str, restored_on: date
) -> dict[LapseEpisode, AnnouncedLapse]:
    """The announcements after a ``concept_restored``: the concept's open episode (its
    latest, if old history left several) ends on ``restored_on``."""
    open_episodes = [
        episode
        for episode, lapse in lapses.items()
        if episode.concept_id == concept_id and lapse.restored_on is None
    ]
    if not open_episodes:
        return dict(lapses)
    episode = max(open_episodes, key=lambda e: e.due)
    ended = lapses[episode].model_copy(update={"restored_on": restored_on})
    return {**lapses, episode: ended}
