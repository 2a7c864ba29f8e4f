"""A learner folded from their events: mastery, cards, lapses announced once, restores."""

from __future__ import annotations

from datetime import date, timedelta

from services.learning.domain.catalog import Catalog
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
    decide_lapse_changes,
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


def test_an_announced_lapse_is_not_decided_again(catalog: Catalog) -> None:
    state = learner(catalog, *mastered_m1())
    state = learner(catalog, *mastered_m1(), lapsed(state, "M1.C1"))
    long_after = lapses_at(state.cards["M1.C1"], POLICY) + 200 * DAY

    changes = decide_lapse_changes(state, long_after, POLICY)

    assert {lapse.concept_id for lapse in changes.lapsed} == set(
        catalog.module("M1").concept_ids
    ) - {"M1.C1"}
    assert changes.withdrawn == () and changes.restored == ()


def test_a_review_after_an_announced_lapse_restores_it_on_the_review_date(
    catalog: Catalog,
) -> None:
    state = learner(catalog, *mastered_m1())
    lapse = lapsed(state, "M1.C1")
    review_at = lapses_at(state.cards["M1.C1"], POLICY) + 3 * DAY
    state = learner(
        catalog, *mastered_m1(), lapse, reviewed("M1.C1", ReviewOutcome.HARD, review_at)
    )

    changes = decide_lapse_changes(state, review_at + DAY, POLICY)

    [restored] = [r for r in changes.restored if r.concept_id == "M1.C1"]
    assert (restored.lapsed_on, restored.restored_on) == (lapse.lapsed_on, review_at.date())
    assert "M1.C1" not in {w.concept_id for w in changes.withdrawn}


def test_a_late_review_dated_before_the_lapse_withdraws_the_announced_lapse(
    catalog: Catalog,
) -> None:
    state = learner(catalog, *mastered_m1())
    lapse = lapsed(state, "M1.C1")
    just_before = lapses_at(state.cards["M1.C1"], POLICY) - timedelta(hours=12)
    state = learner(
        catalog, *mastered_m1(), lapse, reviewed("M1.C1", ReviewOutcome.GOOD, just_before)
    )

    changes = decide_lapse_changes(state, just_before + DAY, POLICY)

    assert [w.concept_id for w in changes.withdrawn] == ["M1.C1"]
    assert "M1.C1" not in {lapse.concept_id for lapse in changes.lapsed}


def test_a_review_of_a_concept_not_mastered_yet_is_kept_and_counts_from_the_mastery(
    catalog: Catalog,
) -> None:
    early_review = reviewed("M1.C1", ReviewOutcome.EASY, T0 + 2 * DAY)
    before_mastery = reviewed("M1.C1", ReviewOutcome.AGAIN, T0 - DAY)

    review_first = learner(catalog, early_review, before_mastery, *mastered_m1())
    mastery_first = learner(catalog, *mastered_m1(), before_mastery, early_review)

    assert review_first.cards == mastery_first.cards
    assert (
        review_first.cards["M1.C1"].review_count == 1
    )  # the one before the mastery does not count
    decision = decide_review(
        learner(catalog),
        ConceptReview(concept_id="M2.C1", outcome=ReviewOutcome.GOOD, reviewed_at=T0),
        catalog,
        POLICY,
    )
    assert (decision.module_id, decision.card) == ("M2", None)


def test_an_earlier_mastery_arriving_later_replaces_the_recorded_one(catalog: Catalog) -> None:
    later, earlier = mastered_m1(T0 + 10 * DAY), mastered_m1(T0)
    earlier = [e.model_copy(update={"attempt_id": "a-0"}) for e in earlier]

    state = learner(catalog, *later, *earlier)

    mastery = state.progress.mastery("M1")
    assert mastery is not None and (mastery.attempt_id, mastery.mastered_at) == ("a-0", T0)
    assert state.cards["M1.C1"].mastered_at == T0
