"""The periodic lapse check announces each lapse episode once."""

from __future__ import annotations

from services.learning.domain.lapse import LapseEpisode, lapse_episode, newly_lapsed
from services.learning.domain.review import ReviewOutcome, ReviewPolicy, apply_review, start_card
from tests.learning.unit.learning_builders import DAY, T0

GRACE = ReviewPolicy().lapse_grace


def test_nothing_is_announced_before_the_grace_runs_out() -> None:
    card = start_card("M1.C1", T0)
    assert newly_lapsed([card], set(), card.due + GRACE) == []


def test_lapse_is_announced_once_per_episode() -> None:
    card = start_card("M1.C1", T0)
    announced: set[LapseEpisode] = set()

    first_check = newly_lapsed([card], announced, card.due + GRACE + DAY)
    announced.update(lapse.episode for lapse in first_check)
    later_check = newly_lapsed([card], announced, card.due + GRACE + 10 * DAY)

    assert [lapse.concept_id for lapse in first_check] == ["M1.C1"]
    assert later_check == []


def test_lapse_carries_when_it_happened_however_late_the_check_runs() -> None:
    card = start_card("M1.C1", T0)
    (lapse,) = newly_lapsed([card], set(), card.due + GRACE + 20 * DAY)
    assert lapse.lapsed_at == card.due + GRACE
    assert lapse.overdue_by == GRACE + 20 * DAY
    assert lapse.episode == LapseEpisode(concept_id="M1.C1", due=card.due)


def test_concept_restored_by_review_is_announced_again_when_it_lapses_again() -> None:
    card = start_card("M1.C1", T0)
    (first,) = newly_lapsed([card], set(), card.due + GRACE + DAY)
    announced = {first.episode}

    restored = apply_review(card, ReviewOutcome.GOOD, card.due + GRACE + 5 * DAY)
    assert newly_lapsed([restored], announced, restored.last_review + DAY) == []
    (second,) = newly_lapsed([restored], announced, restored.due + GRACE + DAY)

    assert second.episode != first.episode
    assert second.episode == lapse_episode(restored)


def test_several_lapses_come_out_in_the_order_they_happened() -> None:
    early = start_card("M2.C1", T0)
    late = start_card("M1.C1", T0 + 5 * DAY)
    lapses = newly_lapsed([late, early], set(), T0 + 90 * DAY)
    assert [lapse.concept_id for lapse in lapses] == ["M2.C1", "M1.C1"]
