"""A learner folded from their events: mastery, cards, lapses announced once, restores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import ConceptNotMasteredError, ReviewBeforeMasteryError
from services.learning.domain.events import (
    AssessmentAttempted,
    ConceptLapsed,
    ConceptReviewed,
    ModuleMastered,
    PractitionerEnrolled,
)
from services.learning.domain.learner import (
    LearnerState,
    cards_as_of,
    decide_lapses,
    decide_review,
    replay_learner,
)
from services.learning.domain.review import (
    ConceptReview,
    ReviewOutcome,
    ReviewPolicy,
    lapses_at,
    replay_card,
)
from shared.events import DomainEvent
from tests.learning.unit.learning_builders import DAY, T0

POLICY = ReviewPolicy()
ENROLLED = PractitionerEnrolled(
    practitioner_id="p-1", enrolled_on=date(2026, 1, 1), catalog_version="2026.1"
)


def mastered_m1(at: object = T0) -> list[DomainEvent]:
    common = {"practitioner_id": "p-1", "module_id": "M1", "module_order": 1}
    return [
        AssessmentAttempted(
            **common, attempt_id="a-1", assessment_id="M1.A", scaled_score=0.9, passed=True,
            attempted_at=at, source_statement_id=None,
        ),
        ModuleMastered(
            **common, mastered_at=at, previous_module_mastered=True, attempt_id="a-1",
            source_statement_id=None,
        ),
    ]  # fmt: skip


def reviewed(concept_id: str, rating: ReviewOutcome, at: object) -> ConceptReviewed:
    return ConceptReviewed(
        practitioner_id="p-1", concept_id=concept_id, module_id="M1", rating=rating,
        reviewed_at=at, next_due_at=at,
    )  # fmt: skip


def learner(catalog: Catalog, *events: DomainEvent) -> LearnerState:
    state = replay_learner([ENROLLED, *events], lambda _version: catalog, POLICY)
    assert state is not None
    return state


def lapsed(state: LearnerState, concept_id: str) -> ConceptLapsed:
    card = state.cards[concept_id]
    when = lapses_at(card, POLICY)
    return ConceptLapsed(
        practitioner_id="p-1", concept_id=concept_id, module_id="M1", lapsed_on=when.date(),
        due_at=card.due,
    )  # fmt: skip


def test_a_stream_without_enrollment_is_no_learner(catalog: Catalog) -> None:
    assert replay_learner(mastered_m1(), lambda _v: catalog, POLICY) is None


def test_mastery_gives_every_concept_of_the_module_a_card(catalog: Catalog) -> None:
    state = learner(catalog, *mastered_m1())

    assert set(state.cards) == set(catalog.module("M1").concept_ids)
    mastery = state.progress.mastery("M1")
    assert mastery is not None and (mastery.scaled_score, mastery.mastered_at) == (0.9, T0)


def test_a_back_dated_review_gives_the_card_a_full_replay_would(catalog: Catalog) -> None:
    late, early = T0 + 9 * DAY, T0 + 4 * DAY
    state = learner(
        catalog,
        *mastered_m1(),
        reviewed("M1.C1", ReviewOutcome.GOOD, late),
        reviewed("M1.C1", ReviewOutcome.AGAIN, early),
    )

    history = [
        ConceptReview(concept_id="M1.C1", outcome=ReviewOutcome.GOOD, reviewed_at=late),
        ConceptReview(concept_id="M1.C1", outcome=ReviewOutcome.AGAIN, reviewed_at=early),
    ]
    assert state.cards["M1.C1"] == replay_card("M1.C1", T0, history, POLICY)


def test_cards_as_of_the_past_forget_later_reviews(catalog: Catalog) -> None:
    state = learner(catalog, *mastered_m1(), reviewed("M1.C1", ReviewOutcome.EASY, T0 + 5 * DAY))

    before = cards_as_of(state, T0 + 3 * DAY, POLICY)
    before_mastery = cards_as_of(state, T0 - DAY, POLICY)

    assert before["M1.C1"].review_count == 0
    assert before_mastery == {}


def test_an_announced_lapse_is_not_decided_again_even_after_a_back_dated_review(
    catalog: Catalog,
) -> None:
    state = learner(catalog, *mastered_m1())
    state = learner(catalog, *mastered_m1(), lapsed(state, "M1.C1"))
    long_after = lapses_at(state.cards["M1.C1"], POLICY) + 200 * DAY
    # imported late: a review dated before the lapse, which did not restore it
    state = learner(
        catalog, *mastered_m1(), lapsed(state, "M1.C1"),
        reviewed("M1.C1", ReviewOutcome.GOOD, T0 + DAY),
    )  # fmt: skip

    decided = {lapse.concept_id for lapse in decide_lapses(state, long_after, POLICY)}

    assert "M1.C1" not in decided
    assert decided == set(catalog.module("M1").concept_ids) - {"M1.C1"}


def test_a_review_on_or_after_the_lapse_restores_it_that_day(catalog: Catalog) -> None:
    state = learner(catalog, *mastered_m1())
    lapse = lapsed(state, "M1.C1")
    state = learner(catalog, *mastered_m1(), lapse)
    review_at = lapses_at(state.cards["M1.C1"], POLICY) + 3 * DAY

    decision = decide_review(
        state, ConceptReview(concept_id="M1.C1", outcome=ReviewOutcome.HARD, reviewed_at=review_at),
        catalog, POLICY,
    )  # fmt: skip

    assert decision.restored_on == review_at.date()
    assert decision.module_id == "M1"


def test_a_review_dated_before_the_lapse_never_restores_before_the_lapse_date(
    catalog: Catalog,
) -> None:
    state = learner(catalog, *mastered_m1())
    lapse = lapsed(state, "M1.C1")
    state = learner(catalog, *mastered_m1(), lapse)
    just_before = lapses_at(state.cards["M1.C1"], POLICY) - timedelta(hours=12)

    decision = decide_review(
        state,
        ConceptReview(concept_id="M1.C1", outcome=ReviewOutcome.GOOD, reviewed_at=just_before),
        catalog, POLICY,
    )  # fmt: skip

    assert decision.restored_on == lapse.lapsed_on  # the lapse did not happen: empty interval


def test_reviews_need_a_mastered_concept_dated_after_the_mastery(catalog: Catalog) -> None:
    state = learner(catalog, *mastered_m1())

    with pytest.raises(ConceptNotMasteredError, match="M2"):
        decide_review(
            state, ConceptReview(concept_id="M2.C1", outcome=ReviewOutcome.GOOD, reviewed_at=T0),
            catalog, POLICY,
        )  # fmt: skip
    with pytest.raises(ReviewBeforeMasteryError):
        decide_review(
            state,
            ConceptReview(concept_id="M1.C1", outcome=ReviewOutcome.GOOD, reviewed_at=T0 - DAY),
            catalog, POLICY,
        )  # fmt: skip
