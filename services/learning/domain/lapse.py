"""The identity of a lapse, so that each one is announced (``ConceptLapsed``) once.

A **lapse episode** is keyed by (concept id, the card's due date at lapse time). The
due date identifies the episode because only a review moves it: while the card sits
unreviewed its due date — and so the key — stays the same; once a review restores the
concept the card gets a new due date, so a later lapse is a new episode and is
announced again. Which episodes a review history implies, and with what dates, is
``lapse_history.py``.
"""

from __future__ import annotations

from services.learning.domain.practice_time import PracticeDate
from services.learning.domain.review import ConceptCard
from services.learning.domain.value_object import FrozenModel


class LapseEpisode(FrozenModel):
    """Identity of one lapse; frozen models hash, so episodes go in sets and dict keys."""

    concept_id: str
    due: PracticeDate


def lapse_episode(card: ConceptCard) -> LapseEpisode:
    """The episode a lapse of this card would belong to."""
    return LapseEpisode(concept_id=card.concept_id, due=card.due)
