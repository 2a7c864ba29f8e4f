"""The lapses a review history implies: true dates, any arrival order, announced to match."""

from __future__ import annotations

from datetime import date
from itertools import permutations

from services.learning.domain.lapse import LapseEpisode
from services.learning.domain.lapse_history import (
    AnnouncedLapse,
    ImpliedLapse,
    implied_lapses,
    reconcile_lapses,
)
from services.learning.domain.review import (
    ConceptReview,
    ReviewOutcome,
    ReviewPolicy,
    apply_review,
    lapses_at,
    replay_card,
    start_card,
)
from tests.learning.unit.learning_builders import DAY, T0

POLICY = ReviewPolicy()
GOOD, AGAIN = ReviewOutcome.GOOD, ReviewOutcome.AGAIN


def review(at_days: float, outcome: ReviewOutcome = GOOD) -> ConceptReview:
    return ConceptReview(concept_id="M1.C1", outcome=outcome, reviewed_at=T0 + at_days * DAY)


def test_a_mastery_never_reviewed_lapses_at_its_due_date_plus_the_grace() -> None:
    card = start_card("M1.C1", T0)

    [lapse] = implied_lapses("M1.C1", T0, [], now=T0 + 400 * DAY)

    assert lapse.lapsed_at == card.due + POLICY.lapse_grace == lapses_at(card)
    assert lapse.restored_at is None
    assert lapse.episode == LapseEpisode(concept_id="M1.C1", due=card.due)


def test_no_lapse_is_implied_before_the_grace_runs_out() -> None:
    card = start_card("M1.C1", T0)
    assert implied_lapses("M1.C1", T0, [], now=lapses_at(card)) == []


def test_a_review_after_the_lapse_moment_restores_it_on_its_own_date() -> None:
    late = review(60)

    lapses = implied_lapses("M1.C1", T0, [late], now=T0 + 61 * DAY)

    assert [(lapse.lapsed_at, lapse.restored_at) for lapse in lapses] == [
        (lapses_at(start_card("M1.C1", T0)), late.reviewed_at)
    ]


def test_reviews_on_time_imply_no_lapse() -> None:
    card = start_card("M1.C1", T0)
    on_time = ConceptReview(concept_id="M1.C1", outcome=GOOD, reviewed_at=card.due)
    after = apply_review(card, GOOD, card.due)

    assert implied_lapses("M1.C1", T0, [on_time], now=lapses_at(after)) == []


def test_the_lapses_of_a_history_do_not_depend_on_the_order_its_reviews_arrive_in() -> None:
    history = [review(3), review(50, AGAIN), review(51), review(200)]
    now = T0 + 400 * DAY
    expected = implied_lapses("M1.C1", T0, history, now)

    for order in permutations(history):
        assert implied_lapses("M1.C1", T0, order, now) == expected
    assert [lapse.restored_at for lapse in expected][:2] == [T0 + 50 * DAY, T0 + 200 * DAY]


def test_the_card_as_of_a_date_is_a_function_of_the_reviews_dated_by_then() -> None:
    history = [review(3), review(12, AGAIN), review(40)]

    as_of = replay_card("M1.C1", T0, reversed(history), until=T0 + 20 * DAY)

    expected = apply_review(
        apply_review(start_card("M1.C1", T0), GOOD, T0 + 3 * DAY), AGAIN, T0 + 12 * DAY
    )
    assert as_of == expected


def lapse(due_day: int, restored_day: int | None = None) -> ImpliedLapse:
    due = T0 + due_day * DAY
    return ImpliedLapse(
        episode=LapseEpisode(concept_id="M1.C1", due=due),
        lapsed_at=due + POLICY.lapse_grace,
        restored_at=T0 + restored_day * DAY if restored_day is not None else None,
    )


def announced(implied: ImpliedLapse, restored_on: date | None = None) -> AnnouncedLapse:
    return AnnouncedLapse(lapsed_on=implied.lapsed_on, restored_on=restored_on)


def test_an_implied_lapse_not_announced_yet_is_announced_with_its_restoration() -> None:
    first, second = lapse(2, restored_day=60), lapse(70)

    changes = reconcile_lapses({}, [second, first])

    assert changes.lapsed == (first, second)
    assert changes.withdrawn == () and changes.restored == ()


def test_what_was_announced_as_implied_changes_nothing() -> None:
    first = lapse(2, restored_day=60)

    changes = reconcile_lapses({first.episode: announced(first, first.restored_on)}, [first])

    assert not changes


def test_an_open_lapse_that_a_review_ended_is_restored_not_announced_again() -> None:
    now_restored = lapse(2, restored_day=60)

    changes = reconcile_lapses({now_restored.episode: announced(now_restored)}, [now_restored])

    assert changes.restored == (now_restored,)
    assert changes.lapsed == () and changes.withdrawn == ()


def test_a_lapse_the_history_no_longer_implies_is_withdrawn() -> None:
    gone = lapse(2)

    changes = reconcile_lapses({gone.episode: announced(gone)}, [])

    assert changes.withdrawn == (gone.episode,)
    assert changes.lapsed == ()


def test_a_lapse_restored_on_another_date_is_withdrawn_and_announced_as_it_now_reads() -> None:
    was = lapse(2, restored_day=90)
    now = lapse(2, restored_day=60)  # an earlier review arrived late

    changes = reconcile_lapses({was.episode: announced(was, was.restored_on)}, [now])

    assert changes.withdrawn == (was.episode,)
    assert changes.lapsed == (now,)
