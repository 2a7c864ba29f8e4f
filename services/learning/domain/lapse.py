"""The periodic lapse check: which concepts have *newly* lapsed, so each lapse is
announced (``ConceptLapsed``) once, not on every run of the clock.

A **lapse episode** is keyed by (concept id, the card's due date at lapse time). The
due date identifies the episode because only a review moves it: while the card sits
unreviewed its due date — and so the key — stays the same, and the check stays
quiet; once a review restores the concept the card gets a new due date, so a later
lapse is a new episode and is announced again.

The caller keeps the set of episodes already announced (e.g. rebuilt from its own
``ConceptLapsed`` events) and adds each returned one after publishing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from datetime import datetime, timedelta

from services.learning.domain.practice_time import PracticeDate, as_utc
from services.learning.domain.review import (
    DEFAULT_REVIEW_POLICY,
    ConceptCard,
    ReviewPolicy,
    ReviewStatus,
    lapses_at,
    overdue_by,
    review_status,
)
from services.learning.domain.value_object import FrozenModel


class LapseEpisode(FrozenModel):
    """Identity of one lapse; frozen models hash, so episodes go in sets."""

    concept_id: str
    due: PracticeDate


class ConceptLapse(FrozenModel):
    """A concept found lapsed by the check, with the facts the event needs."""

    episode: LapseEpisode
    # When it crossed into lapsed (due + grace): the practice date of the event,
    # the same however late the check runs.
    lapsed_at: PracticeDate
    overdue_by: timedelta

    @property
    def concept_id(self) -> str:
        return self.episode.concept_id


def lapse_episode(card: ConceptCard) -> LapseEpisode:
    """The episode a lapse of this card would belong to."""
    return LapseEpisode(concept_id=card.concept_id, due=card.due)


def newly_lapsed(
    cards: Iterable[ConceptCard],
    announced: Set[LapseEpisode],
    as_of: datetime,
    policy: ReviewPolicy = DEFAULT_REVIEW_POLICY,
) -> list[ConceptLapse]:
    """Concepts lapsed at ``as_of`` whose episode is not in ``announced``.

    Ordered by when they lapsed, then concept id, so events go out in a stable order.
    Only lapses current at ``as_of`` are seen: a lapse already ended by a review
    before the check ran is history, not news.
    """
    moment = as_utc(as_of)
    found = [
        ConceptLapse(
            episode=lapse_episode(card),
            lapsed_at=lapses_at(card, policy),
            overdue_by=overdue_by(card, moment),
        )
        for card in cards
        if review_status(card, moment, policy) is ReviewStatus.LAPSED
        and lapse_episode(card) not in announced
    ]
    return sorted(found, key=lambda lapse: (lapse.lapsed_at, lapse.concept_id))
