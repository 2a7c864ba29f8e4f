"""The initial requirements of a level, each judged on one date with its reason.

``check_requirement`` dispatches on the requirement's type; each checker looks only
at evidence dated on or before ``on`` (through the ``Timeline``) and says which
events its verdict rests on. How each type is judged lives in requirement_reasons.py
(observations in ``observations.py``); here each answer is remembered per timeline,
and the answer without any evidence once for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from services.certification.domain import requirement_reasons as reasons
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.observations import check_qualifying_observations
from services.certification.domain.policy import (
    ConceptsNotLapsed,
    ModulesMasteredInOrder,
    MonthlyCoaching,
    QualifyingObservations,
    Requirement,
    SkillRatings,
    Tenure,
)
from services.certification.domain.rule_answers import RuleAnswers
from services.certification.domain.state import RequirementResult
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import CertificationStatus

Checker = Callable[[Any, Timeline, date, date | None], RequirementResult]


def check_requirement(
    requirement: Requirement, timeline: Timeline, on: date, counts_after: date | None = None
) -> RequirementResult:
    """Judge one requirement on ``on`` (``counts_after``: see observations.py)."""
    return _CHECKERS[type(requirement)](requirement, timeline, on, counts_after)


def checker_for(requirement: Requirement) -> Checker:
    """What `check_requirement` calls for ``requirement`` (a replay looks it up once)."""
    return _CHECKERS[type(requirement)]


# Each answer is remembered under everything its checker reads (timeline.remember): the
# rule and how much of its kind of evidence is known by ``on`` (plus the month for
# coaching; observations.py keys by the window's bounds and ``counts_after``).


def _check_modules(
    requirement: ModulesMasteredInOrder, timeline: Timeline, on: date, _: date | None
) -> RequirementResult:
    known = timeline.mastery_count(on)
    if not known:
        return without_evidence(requirement, on)
    return timeline.remember(
        requirement, known, lambda: reasons.modules_in_order(requirement, timeline, on)
    )


def _check_concepts(
    requirement: ConceptsNotLapsed, timeline: Timeline, on: date, _: date | None
) -> RequirementResult:
    known = timeline.concept_count(on)
    if not known:
        return without_evidence(requirement, on)
    return timeline.remember(
        requirement, known, lambda: reasons.concepts_not_lapsed(requirement, timeline, on)
    )


def _check_coaching(
    requirement: MonthlyCoaching, timeline: Timeline, on: date, _: date | None
) -> RequirementResult:
    known = timeline.session_count(on)
    if not known:
        return without_evidence(requirement, on)
    return timeline.remember(
        requirement,
        (known, on.year, on.month),
        lambda: reasons.monthly_coaching(requirement, timeline, on),
    )


def _check_ratings(
    requirement: SkillRatings, timeline: Timeline, on: date, _: date | None
) -> RequirementResult:
    known = timeline.rating_count(on)
    if not known:
        return without_evidence(requirement, on)
    return timeline.remember(
        requirement, known, lambda: reasons.skill_ratings(requirement, timeline, on)
    )


def _check_tenure(
    requirement: Tenure, timeline: Timeline, on: date, _: date | None
) -> RequirementResult:
    if timeline.program_start(on) is None:
        return without_evidence(requirement, on)
    return reasons.tenure(requirement, timeline, on)


def without_evidence(requirement: Requirement, on: date) -> RequirementResult:
    """What ``requirement`` answers on ``on`` for a practitioner with none of the evidence
    it reads. The same for everyone, and only the month of ``on`` shows in it (the
    coaching window's span), so it is judged once per requirement and month."""
    return _WITHOUT_EVIDENCE.get(
        requirement, (on.year, on.month), _judged_without_evidence, requirement, on
    )


def _judged_without_evidence(requirement: Requirement, on: date) -> RequirementResult:
    judge: Callable[[Any, Timeline, date], RequirementResult] = _JUDGED[type(requirement)]
    return judge(requirement, _NO_EVIDENCE, date(on.year, on.month, 1))


_WITHOUT_EVIDENCE: RuleAnswers[RequirementResult] = RuleAnswers()


_NO_EVIDENCE = Timeline(EvidenceSet("nobody"), until=date.max)
# How each requirement type is judged once its checker has found nothing remembered.
_JUDGED: dict[type, Callable[[Any, Timeline, date], RequirementResult]] = {
    ModulesMasteredInOrder: reasons.modules_in_order,
    ConceptsNotLapsed: reasons.concepts_not_lapsed,
    MonthlyCoaching: reasons.monthly_coaching,
    SkillRatings: reasons.skill_ratings,
    Tenure: reasons.tenure,
}

# One checker per requirement type (a dict lookup: the replay asks on every checkpoint day).
_CHECKERS: dict[type, Checker] = {
    ModulesMasteredInOrder: _check_modules,
    ConceptsNotLapsed: _check_concepts,
    MonthlyCoaching: _check_coaching,
    SkillRatings: _check_ratings,
    Tenure: _check_tenure,
    QualifyingObservations: check_qualifying_observations,
}


@dataclass(frozen=True)
class Prerequisite:
    """The level a dependent level builds on, with its rule status on the same day."""

    key: str
    title: str
    status: CertificationStatus

    def describe(self) -> str:
        return f"{self.title} ({self.key}) is {self.status.value.replace('_', ' ')}"


@lru_cache(maxsize=1024)
def check_prerequisite(prerequisite: Prerequisite) -> RequirementResult:
    """A dependent level is granted only on a certified (not merely at-risk) prerequisite."""
    return RequirementResult(
        requirement="requires_level",
        met=prerequisite.status is CertificationStatus.CERTIFIED,
        reason=prerequisite.describe(),
    )
