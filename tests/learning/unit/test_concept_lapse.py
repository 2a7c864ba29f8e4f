"""A lapse is announced once per episode: (concept, the due date it lapsed from)."""

from __future__ import annotations

from services.learning.domain.lapse import LapseEpisode, lapse_episode
from services.learning.domain.lapse_history import implied_lapses
from services.learning.domain.review import (
    ConceptReview,
    ReviewOutcome,
    ReviewPolicy,
    apply_review,
    start_card,
)
from tests.learning.unit.learning_builders import DAY, T0

GRACE = ReviewPolicy().lapse_grace


def test_the_same_unreviewed_card_is_one_episode_however_late_it_is_looked_at() -> None:
    card = start_card("M1.C1", T0)

    soon = implied_lapses("M1.C1", T0, [], card.due + GRACE + DAY)
    much_later = implied_lapses("M1.C1", T0, [], card.due + GRACE + 300 * DAY)

    assert [lapse.episode for lapse in soon] == [lapse.episode for lapse in much_later]
    assert soon[0].episode == LapseEpisode(concept_id="M1.C1", due=card.due)


def test_a_concept_restored_by_review_lapses_again_as_a_new_episode() -> None:
    card = start_card("M1.C1", T0)
    restoring = ConceptReview(
        concept_id="M1.C1", outcome=ReviewOutcome.GOOD, reviewed_at=card.due + GRACE + 5 * DAY
    )
    restored = apply_review(card, ReviewOutcome.GOOD, restoring.reviewed_at)

    first, second = implied_lapses("M1.C1", T0, [restoring], restored.due + GRACE + DAY)

    assert first.episode == lapse_episode(card) and first.restored_at == restoring.reviewed_at
    assert second.episode == lapse_episode(restored) != first.episode
    assert second.restored_at is None
