"""One practitioner's learning, folded from their event stream, and the decisions on it.

The learner stream holds, in order: ``PractitionerEnrolled`` (always first), then
attempts, masteries, reviews, lapses and restorations. :func:`replay_learner` folds it
into a :class:`LearnerState` — progress, one FSRS card per mastered concept, the review
history (to look at the past) and the lapses announced so far. The fold trusts the
events (they were decided before they were stored); the ``decide_*`` functions are
where requests are refused. Pure: no I/O, the clock is a parameter.

Nothing is decided by arrival order: a module's mastery is its earliest mastering
attempt, a card is replayed from the mastery and every review dated since (a review
may arrive before the mastery it follows in practice), and :func:`decide_lapse_changes`
compares the lapses the whole review history implies with those announced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time

from pydantic import Field

from services.learning.domain.attempt_history import find_attempt
from services.learning.domain.catalog import Catalog
from services.learning.domain.events import (
    AssessmentAttempted,
    ConceptLapsed,
    ConceptRestored,
    ConceptReviewed,
    EvidenceRetracted,
    EvidenceWithdrawn,
    ModuleMastered,
    PractitionerEnrolled,
)
from services.learning.domain.lapse import LapseEpisode
from services.learning.domain.lapse_history import (
    AnnouncedLapse,
    LapseChanges,
    implied_lapses,
    reconcile_lapses,
    restore_lapse,
    review_history,
    with_review,
)
from services.learning.domain.mastery import (
    AttemptOutcome,
    LearnerProgress,
    ModuleMastery,
    ModuleProgress,
    apply_attempt,
    apply_mastery,
    enroll,
)
from services.learning.domain.practice_time import as_utc
from services.learning.domain.review import (
    ConceptCard,
    ConceptReview,
    ReviewPolicy,
    apply_review,
    replay_card,
)
from services.learning.domain.value_object import FrozenModel
from shared.events import DomainEvent


class LearnerState(FrozenModel):
    practitioner_id: str
    enrolled_on: date
    catalog_version: str
    progress: LearnerProgress
    cards: dict[str, ConceptCard] = Field(default_factory=dict)
    reviews: tuple[ConceptReview, ...] = ()
    # Lapse episodes announced and not withdrawn, with their announced dates.
    lapses: dict[LapseEpisode, AnnouncedLapse] = Field(default_factory=dict)

    @property
    def open_lapses(self) -> dict[str, date]:
        """Announced and not yet restored: concept id -> the date it lapsed."""
        return {
            episode.concept_id: lapse.lapsed_on
            for episode, lapse in sorted(self.lapses.items(), key=lambda item: item[0].due)
            if lapse.restored_on is None
        }


def enrollment_start(enrolled_on: date) -> datetime:
    """The first instant of the enrollment day: attempts that day are never "before" it."""
    return datetime.combine(enrolled_on, time.min, tzinfo=UTC)


def start_learner(event: PractitionerEnrolled, catalog: Catalog) -> LearnerState:
    """Program enrollment enrolls the practitioner in every module of the catalog."""
    progress = LearnerProgress()
    for module in catalog.modules:
        progress = enroll(progress, module.id, enrollment_start(event.enrolled_on), catalog)
    return LearnerState(
        practitioner_id=event.practitioner_id,
        enrolled_on=event.enrolled_on,
        catalog_version=event.catalog_version,
        progress=progress,
    )


def evolve(
    state: LearnerState, event: DomainEvent, catalog: Catalog, policy: ReviewPolicy
) -> LearnerState:
    """The state after one more event of the learner's stream."""
    match event:
        case AssessmentAttempted():
            return _attempted(state, event, catalog)
        case ModuleMastered():
            return _mastered(state, event, catalog, policy)
        case ConceptReviewed():
            review = ConceptReview(
                concept_id=event.concept_id, outcome=event.rating, reviewed_at=event.reviewed_at
            )
            cards = state.cards
            if review.concept_id in cards:
                cards = {**cards, review.concept_id: card_after_review(state, review, policy)}
            reviews = with_review(state.reviews, review)
            return state.model_copy(update={"cards": cards, "reviews": reviews})
        case ConceptLapsed():
            episode = LapseEpisode(concept_id=event.concept_id, due=event.due_at)
            announced = AnnouncedLapse(lapsed_on=event.lapsed_on)
            return state.model_copy(update={"lapses": {**state.lapses, episode: announced}})
        case ConceptRestored():
            lapses = restore_lapse(state.lapses, event.concept_id, event.restored_on)
            return state.model_copy(update={"lapses": lapses})
        case EvidenceRetracted():
            return _retracted(state, event, catalog, policy)
        case EvidenceWithdrawn() if event.concept_id is not None and event.due_at is not None:
            # a withdrawn lapse is forgotten; a superseded mastery was already replaced
            # by the earlier ModuleMastered appended with the withdrawal
            episode = LapseEpisode(concept_id=event.concept_id, due=event.due_at)
            lapses = {k: v for k, v in state.lapses.items() if k != episode}
            return state.model_copy(update={"lapses": lapses})
    return state  # events of other kinds do not change a learner


def replay_learner(
    events: Iterable[DomainEvent],
    catalog_for: Callable[[str], Catalog],
    policy: ReviewPolicy,
    start: LearnerState | None = None,
) -> LearnerState | None:
    """Fold a learner stream (or its tail onto `start`, the state before it);
    ``None`` when it holds no enrollment (no such learner)."""
    state: LearnerState | None = start
    catalog: Catalog | None = catalog_for(start.catalog_version) if start else None
    for event in events:
        if isinstance(event, PractitionerEnrolled):
            catalog = catalog_for(event.catalog_version)
            state = start_learner(event, catalog)
        elif state is not None and catalog is not None:
            state = evolve(state, event, catalog, policy)
    return state


def card_after_review(
    state: LearnerState, review: ConceptReview, policy: ReviewPolicy
) -> ConceptCard:
    """The concept's card with ``review`` applied; a back-dated review replays the history,
    and a review dated before the mastery leaves the card as it is."""
    card = state.cards[review.concept_id]
    if review.reviewed_at < card.mastered_at:
        return card
    if review.reviewed_at >= card.last_review:
        return apply_review(card, review.outcome, review.reviewed_at, policy)
    history = (*state.reviews, review)
    return replay_card(review.concept_id, card.mastered_at, history, policy)


class ReviewDecision(FrozenModel):
    module_id: str
    # The card after the review; None while the concept's module is not mastered
    # (the review is kept and counts once a mastery dated before it is known).
    card: ConceptCard | None


def decide_review(
    state: LearnerState,
    review: ConceptReview,
    catalog: Catalog,
    policy: ReviewPolicy,
) -> ReviewDecision:
    """What a review means; refuses only a concept the catalog does not know.

    A review of a concept not mastered yet is accepted: whether it counts is decided
    from the practice dates whenever the mastery becomes known, not by arrival order.
    """
    module = catalog.module_of_concept(review.concept_id)
    card = card_after_review(state, review, policy) if review.concept_id in state.cards else None
    return ReviewDecision(module_id=module.id, card=card)


def decide_lapse_changes(state: LearnerState, now: datetime, policy: ReviewPolicy) -> LapseChanges:
    """The lapse announcements, restorations and withdrawals the history calls for at ``now``."""
    implied = [
        lapse
        for concept_id, card in state.cards.items()
        for lapse in implied_lapses(concept_id, card.mastered_at, state.reviews, now, policy)
    ]
    return reconcile_lapses(state.lapses, implied)


def cards_as_of(
    state: LearnerState, as_of: datetime, policy: ReviewPolicy
) -> dict[str, ConceptCard]:
    """Each concept's card as it stood at ``as_of`` (replayed when reviewed since)."""
    moment = as_utc(as_of)
    cards: dict[str, ConceptCard] = {}
    for concept_id, card in state.cards.items():
        if card.mastered_at > moment:
            continue
        if card.last_review <= moment:
            cards[concept_id] = card
        else:
            cards[concept_id] = replay_card(
                concept_id, card.mastered_at, state.reviews, policy, until=moment
            )
    return cards


def _attempted(state: LearnerState, event: AssessmentAttempted, catalog: Catalog) -> LearnerState:
    module = catalog.module(event.module_id)
    outcome = AttemptOutcome(
        attempt_id=event.attempt_id,
        module_id=event.module_id,
        attempted_at=event.attempted_at,
        scaled_score=event.scaled_score,
        mastery_score=module.assessment.mastery_score,
        mastered=event.passed,
        newly_mastered=False,  # ModuleMastered, when it follows, records the mastery
        previous_module_mastered=None,
    )
    return state.model_copy(update={"progress": apply_attempt(state.progress, outcome)})


def _mastered(
    state: LearnerState, event: ModuleMastered, catalog: Catalog, policy: ReviewPolicy
) -> LearnerState:
    module_progress = state.progress.module(event.module_id)
    attempt = find_attempt(module_progress.attempts, event.attempt_id) if module_progress else None
    score = attempt.scaled_score if attempt is not None else None
    module = catalog.module(event.module_id)
    mastery = ModuleMastery(
        module_id=event.module_id,
        attempt_id=event.attempt_id,
        mastered_at=event.mastered_at,
        scaled_score=score if score is not None else module.assessment.mastery_score,
        previous_module_mastered=event.previous_module_mastered,
    )
    progress = apply_mastery(state.progress, mastery)
    if progress == state.progress:
        return state  # a mastery later than the one on record changes nothing
    cards = {
        concept_id: replay_card(concept_id, event.mastered_at, state.reviews, policy)
        for concept_id in module.concept_ids
    }
    # cards to scan for lapses at every write from now on: a history that memoises scans
    reviews = review_history(state.reviews)
    return state.model_copy(
        update={"progress": progress, "cards": {**state.cards, **cards}, "reviews": reviews}
    )


def _retracted(
    state: LearnerState, event: EvidenceRetracted, catalog: Catalog, policy: ReviewPolicy
) -> LearnerState:
    """Drop the attempt (and the mastery it established, with its module's cards) or the
    review that came from a voided xAPI Statement."""
    if event.attempt_id is not None and event.module_id is not None:
        module_progress = state.progress.module(event.module_id)
        if module_progress is None:
            return state
        attempts = tuple(a for a in module_progress.attempts if a.attempt_id != event.attempt_id)
        mastery = module_progress.mastery
        cards = state.cards
        if mastery is not None and mastery.attempt_id == event.attempt_id:
            mastery = None
            concepts = set(catalog.module(event.module_id).concept_ids)
            cards = {k: v for k, v in state.cards.items() if k not in concepts}
        updated = ModuleProgress(
            module_id=module_progress.module_id,
            enrolled_at=module_progress.enrolled_at,
            mastery=mastery,
            attempts=attempts,
        )
        progress = LearnerProgress(modules={**state.progress.modules, event.module_id: updated})
        return state.model_copy(update={"progress": progress, "cards": cards})
    if event.concept_id is not None and event.concept_id in state.cards and event.reviewed_at:
        reviews = review_history(
            tuple(
                r
                for r in state.reviews
                if not (
                    r.concept_id == event.concept_id and r.reviewed_at == as_utc(event.reviewed_at)
                )
            )
        )
        card = state.cards[event.concept_id]
        replayed = replay_card(event.concept_id, card.mastered_at, reviews, policy)
        return state.model_copy(
            update={"reviews": reviews, "cards": {**state.cards, event.concept_id: replayed}}
        )
    return state
