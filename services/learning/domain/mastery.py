"""Module mastery: enrollment, assessment attempts and the facts they establish.

Rules (DOMAIN.md, "learning"):

* an attempt's scaled score lies in 0..1;
* attempts dated before the practitioner's enrollment in the module are refused;
* an attempt masters its module when its score reaches the assessment's mastery score
  (``>=``; the default bar is 0.80, and exactly 0.80 masters);
* a module's mastery is its *earliest* mastering attempt in practice: a later passing
  attempt does not master again, but a passing attempt dated before the recorded
  mastery (imported late) replaces it, so ``ModuleMastered`` is announced again with
  the earlier date and the superseded one is withdrawn — the same mastery whatever
  order the attempts arrive in;
* each outcome says whether the previous module in catalog order was known to be
  mastered at the attempt's practice date. That is what was known when the attempt
  was recorded, kept for readers of the old event field; the certification policy
  ("each module mastered no earlier than the one before it") is decided from the
  mastery dates when evidence is evaluated, never from this flag.

The state is a plain immutable value: :func:`decide_attempt` says what an attempt
means, :func:`apply_attempt` folds it in. Neither does I/O.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from services.learning.domain.attempt_history import AttemptResult, find_attempt, with_attempt
from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import (
    AttemptBeforeEnrollmentError,
    NotEnrolledError,
    ScoreOutOfRangeError,
)
from services.learning.domain.practice_time import PracticeDate, as_utc
from services.learning.domain.value_object import FrozenModel


def require_scaled_score(score: float) -> float:
    """Return ``score`` if it is a scaled score in 0..1, else raise ScoreOutOfRangeError."""
    # Written as a negated range so that NaN is refused too.
    if not 0.0 <= score <= 1.0:
        raise ScoreOutOfRangeError(score)
    return score


class Attempt(FrozenModel):
    """One assessment attempt on a module, as reported by the LMS."""

    attempt_id: str = Field(min_length=1)
    module_id: str
    scaled_score: float
    attempted_at: PracticeDate

    @field_validator("scaled_score")
    @classmethod
    def _scaled_score_in_range(cls, score: float) -> float:
        return require_scaled_score(score)


class ModuleMastery(FrozenModel):
    """The recorded fact that a module was mastered, by which attempt, when."""

    module_id: str
    attempt_id: str
    mastered_at: PracticeDate
    scaled_score: float
    previous_module_mastered: bool | None


class ModuleProgress(FrozenModel):
    module_id: str
    enrolled_at: PracticeDate
    mastery: ModuleMastery | None = None
    # Kept in practice-date order, so back-dated imports land where they happened.
    attempts: tuple[AttemptResult, ...] = ()

    def mastered_as_of(self, as_of: datetime) -> bool:
        return self.mastery is not None and self.mastery.mastered_at <= as_of

    def latest_attempt_as_of(self, as_of: datetime) -> AttemptResult | None:
        earlier = [a for a in self.attempts if a.attempted_at <= as_of]
        return earlier[-1] if earlier else None


class LearnerProgress(FrozenModel):
    """One practitioner's enrollments, attempts and masteries, keyed by module id."""

    modules: dict[str, ModuleProgress] = Field(default_factory=dict)

    def module(self, module_id: str) -> ModuleProgress | None:
        return self.modules.get(module_id)

    def mastery(self, module_id: str) -> ModuleMastery | None:
        progress = self.modules.get(module_id)
        return progress.mastery if progress else None

    def _with(self, progress: ModuleProgress) -> LearnerProgress:
        return LearnerProgress(modules={**self.modules, progress.module_id: progress})


class AttemptOutcome(FrozenModel):
    """The facts an attempt establishes; the wiring turns them into events."""

    attempt_id: str
    module_id: str
    attempted_at: PracticeDate
    scaled_score: float
    mastery_score: float
    # This attempt reached the module's mastery score.
    mastered: bool
    # ...and the module had no mastery recorded at or before this attempt's practice
    # date: emit ModuleMastered (superseding the later one recorded, if any).
    newly_mastered: bool
    # The mastering attempt this one replaces (it was later in practice), if any.
    supersedes_attempt_id: str | None = None
    # Previous module (catalog order) mastered at or before this attempt's practice
    # date; None for the first module, which has no predecessor.
    previous_module_mastered: bool | None


def enroll(
    progress: LearnerProgress, module_id: str, enrolled_at: datetime, catalog: Catalog
) -> LearnerProgress:
    """Enroll in a module. Re-enrolling keeps the earliest date, so replays are idempotent."""
    catalog.module(module_id)  # refuses an unknown module with a helpful message
    existing = progress.module(module_id)
    if existing is None:
        return progress._with(ModuleProgress(module_id=module_id, enrolled_at=enrolled_at))
    earliest = min(existing.enrolled_at, as_utc(enrolled_at))
    return progress._with(existing.model_copy(update={"enrolled_at": earliest}))


def decide_attempt(progress: LearnerProgress, attempt: Attempt, catalog: Catalog) -> AttemptOutcome:
    """What ``attempt`` means given the practitioner's progress so far.

    Raises :class:`UnknownModuleError`, :class:`NotEnrolledError` or
    :class:`AttemptBeforeEnrollmentError`. A passing attempt dated *before* an already
    recorded mastery moves the mastery date earlier (``supersedes_attempt_id``), so
    the mastery is the earliest one whatever order the attempts arrive in.
    """
    module = catalog.module(attempt.module_id)
    module_progress = progress.module(module.id)
    if module_progress is None:
        raise NotEnrolledError(module.id)
    if attempt.attempted_at < module_progress.enrolled_at:
        raise AttemptBeforeEnrollmentError(
            module.id, attempt.attempted_at, module_progress.enrolled_at
        )

    mastery_score = module.assessment.mastery_score
    mastered = attempt.scaled_score >= mastery_score
    previous = catalog.previous_module(module.id)
    previous_mastered: bool | None = None
    if previous is not None:
        previous_progress = progress.module(previous.id)
        previous_mastered = previous_progress is not None and previous_progress.mastered_as_of(
            attempt.attempted_at
        )
    recorded = module_progress.mastery
    earlier = recorded is None or attempt.attempted_at < recorded.mastered_at
    return AttemptOutcome(
        attempt_id=attempt.attempt_id,
        module_id=module.id,
        attempted_at=attempt.attempted_at,
        scaled_score=attempt.scaled_score,
        mastery_score=mastery_score,
        mastered=mastered,
        newly_mastered=mastered and earlier,
        supersedes_attempt_id=recorded.attempt_id if mastered and earlier and recorded else None,
        previous_module_mastered=previous_mastered,
    )


def apply_attempt(progress: LearnerProgress, outcome: AttemptOutcome) -> LearnerProgress:
    """Fold a decided attempt into the progress (the event handler's half)."""
    module_progress = progress.module(outcome.module_id)
    if module_progress is None:
        raise NotEnrolledError(outcome.module_id)
    # a redelivered attempt changes nothing (looked up in the history's index: it grows long)
    known = module_progress.attempts
    if find_attempt(known, outcome.attempt_id) is not None:
        return progress
    result = AttemptResult(
        attempt_id=outcome.attempt_id,
        attempted_at=outcome.attempted_at,
        passed=outcome.mastered,
        scaled_score=outcome.scaled_score,
    )
    # kept in attempted_at order, inserted after its equals, as a stable sort would put it
    attempts = with_attempt(known, result)
    mastery = module_progress.mastery
    if outcome.newly_mastered and (mastery is None or outcome.attempted_at < mastery.mastered_at):
        mastery = ModuleMastery(
            module_id=outcome.module_id,
            attempt_id=outcome.attempt_id,
            mastered_at=outcome.attempted_at,
            scaled_score=outcome.scaled_score,
            previous_module_mastered=outcome.previous_module_mastered,
        )
    return progress._with(
        module_progress.model_copy(update={"attempts": attempts, "mastery": mastery})
    )


def apply_mastery(progress: LearnerProgress, mastery: ModuleMastery) -> LearnerProgress:
    """Fold in a mastery recorded elsewhere (a ModuleMastered event); the earliest stands."""
    module_progress = progress.module(mastery.module_id)
    if module_progress is None:
        raise NotEnrolledError(mastery.module_id)
    recorded = module_progress.mastery
    if recorded is not None and recorded.mastered_at <= mastery.mastered_at:
        return progress
    return progress._with(module_progress.model_copy(update={"mastery": mastery}))


def record_attempt(
    progress: LearnerProgress, attempt: Attempt, catalog: Catalog
) -> tuple[LearnerProgress, AttemptOutcome]:
    """Decide and fold in one step, for callers that need both."""
    outcome = decide_attempt(progress, attempt, catalog)
    return apply_attempt(progress, outcome), outcome


def earliest_passing(progress: ModuleProgress) -> AttemptResult | None:
    """The module's earliest passing attempt: what its mastery is, once one is known."""
    passing = [a for a in progress.attempts if a.passed]
    return min(passing, key=lambda a: a.attempted_at) if passing else None


def previous_mastered_by(
    progress: LearnerProgress, catalog: Catalog, module_id: str, mastered_at: datetime
) -> bool:
    """Was the module before ``module_id`` (catalog order) mastered by ``mastered_at``?

    Read from the mastery dates known now, never from what was known when a mastery
    was recorded; true for the first module, which has none before it.
    """
    previous = catalog.previous_module(module_id)
    if previous is None:
        return True
    previous_progress = progress.module(previous.id)
    return previous_progress is not None and previous_progress.mastered_as_of(mastered_at)
