"""Where learning is strong, shaky, missing or lapsed — per practitioner and per team.

A concept's status as of a datetime, first rule that applies:

1. **missing** — its module is not mastered as of then, or the concept has no card
   (e.g. it was added by a newer catalog version after the module was mastered);
2. **lapsed** — its card is overdue by more than the lapse grace (see ``review``);
3. **shaky** — its card is due (recall probability below the desired retention), or
   the latest review of it failed within the recent-failure window (30 days), or the
   latest assessment attempt on its module failed within that window (a re-take after
   mastery that went badly);
4. **strong** — otherwise.

At-risk ranking, worst first: lapsed > shaky > missing > strong. Lapsed and shaky are
*decay* of something once demonstrated — the early-warning signal coaches act on, and
a lapsed core concept puts certification at risk — whereas missing is usually a
practitioner not there yet. A module takes the worst status of its concepts (missing
if not mastered). Practitioners are ranked by (lapsed, shaky, missing) counts,
compared in that order, then by lower mean recall probability.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from services.learning.domain.catalog import Catalog, Concept, Module
from services.learning.domain.mastery import LearnerProgress
from services.learning.domain.practice_time import PracticeDate, as_utc
from services.learning.domain.review import (
    DEFAULT_REVIEW_POLICY,
    ConceptCard,
    ReviewPolicy,
    ReviewStatus,
    retrievability,
    review_status,
)
from services.learning.domain.value_object import FrozenModel


class ConceptStatus(StrEnum):
    STRONG = "strong"
    SHAKY = "shaky"
    MISSING = "missing"
    LAPSED = "lapsed"

    @property
    def risk_rank(self) -> int:
        """Higher is more at risk."""
        return _RISK_RANK[self]


_RISK_RANK = {
    ConceptStatus.LAPSED: 3,
    ConceptStatus.SHAKY: 2,
    ConceptStatus.MISSING: 1,
    ConceptStatus.STRONG: 0,
}


class VisibilityPolicy(FrozenModel):
    review: ReviewPolicy = DEFAULT_REVIEW_POLICY
    recent_failure_window: timedelta = Field(default=timedelta(days=30), ge=timedelta(0))


DEFAULT_VISIBILITY_POLICY = VisibilityPolicy()


class ConceptVisibility(FrozenModel):
    concept_id: str
    module_id: str
    competency_id: str
    status: ConceptStatus
    reason: str
    retrievability: float | None = None
    due: PracticeDate | None = None


class ModuleVisibility(FrozenModel):
    module_id: str
    status: ConceptStatus
    mastered_at: PracticeDate | None = None


class PractitionerRisk(FrozenModel):
    practitioner_id: str
    lapsed: int
    shaky: int
    missing: int
    strong: int
    # Mean recall probability over concepts that have a card; None if none has.
    mean_retrievability: float | None

    @property
    def ranking_key(self) -> tuple[int, int, int, float, str]:
        """Sort ascending by this to get the most at-risk practitioner first."""
        recall = self.mean_retrievability if self.mean_retrievability is not None else 0.0
        return (-self.lapsed, -self.shaky, -self.missing, recall, self.practitioner_id)


class PractitionerVisibility(FrozenModel):
    practitioner_id: str
    as_of: PracticeDate
    concepts: tuple[ConceptVisibility, ...]  # most at risk first
    modules: tuple[ModuleVisibility, ...]  # most at risk first
    risk: PractitionerRisk


class StatusCounts(FrozenModel):
    strong: int = 0
    shaky: int = 0
    missing: int = 0
    lapsed: int = 0

    def plus(self, status: ConceptStatus) -> StatusCounts:
        return self.model_copy(update={status.value: getattr(self, status.value) + 1})


class TeamSummary(FrozenModel):
    ranking: tuple[PractitionerRisk, ...]  # shakiest practitioner first
    by_competency: dict[str, StatusCounts]  # catalog order


def practitioner_visibility(
    practitioner_id: str,
    catalog: Catalog,
    progress: LearnerProgress,
    cards: Mapping[str, ConceptCard],
    as_of: datetime,
    policy: VisibilityPolicy = DEFAULT_VISIBILITY_POLICY,
) -> PractitionerVisibility:
    """Every concept and module of the catalog with its status at ``as_of``.

    ``cards`` maps concept id to the card as of ``as_of`` (replay it with
    ``replay_card(..., until=as_of)`` to look at the past).
    """
    moment = as_utc(as_of)
    concepts: list[ConceptVisibility] = []
    modules: list[ModuleVisibility] = []
    for module in catalog.modules:
        module_concepts = [
            _concept_visibility(module, concept, progress, cards.get(concept.id), moment, policy)
            for concept in module.concepts
        ]
        concepts.extend(module_concepts)
        modules.append(_module_visibility(module, progress, module_concepts, moment))
    concepts.sort(key=lambda c: (-c.status.risk_rank, c.retrievability or 0.0))
    modules.sort(key=lambda m: -m.status.risk_rank)  # stable: catalog order within a status
    return PractitionerVisibility(
        practitioner_id=practitioner_id,
        as_of=moment,
        concepts=tuple(concepts),
        modules=tuple(modules),
        risk=_risk(practitioner_id, concepts),
    )


def rank_team(team: Iterable[PractitionerVisibility]) -> tuple[PractitionerRisk, ...]:
    """Practitioners' risk, the shakiest first."""
    return tuple(sorted((v.risk for v in team), key=lambda r: r.ranking_key))


def summarise_team(catalog: Catalog, team: Iterable[PractitionerVisibility]) -> TeamSummary:
    """The team ranking plus strong/shaky/missing/lapsed concept counts per competency."""
    members = list(team)
    counts = {competency.id: StatusCounts() for competency in catalog.competencies}
    for member in members:
        for concept in member.concepts:
            counts[concept.competency_id] = counts[concept.competency_id].plus(concept.status)
    return TeamSummary(ranking=rank_team(members), by_competency=counts)


def _concept_visibility(
    module: Module,
    concept: Concept,
    progress: LearnerProgress,
    card: ConceptCard | None,
    as_of: datetime,
    policy: VisibilityPolicy,
) -> ConceptVisibility:
    def seen(status: ConceptStatus, reason: str, recall: float | None = None) -> ConceptVisibility:
        return ConceptVisibility(
            concept_id=concept.id,
            module_id=module.id,
            competency_id=concept.competency_id,
            status=status,
            reason=reason,
            retrievability=recall,
            due=card.due if card else None,
        )

    module_progress = progress.module(module.id)
    if module_progress is None or not module_progress.mastered_as_of(as_of):
        return seen(ConceptStatus.MISSING, f"module {module.id} not mastered")
    if card is None:
        return seen(ConceptStatus.MISSING, "no review card for this concept")

    recall = retrievability(card, as_of, policy.review)
    window_start = as_of - policy.recent_failure_window
    match review_status(card, as_of, policy.review):
        case ReviewStatus.LAPSED:
            return seen(ConceptStatus.LAPSED, f"review overdue since {card.due.date()}", recall)
        case ReviewStatus.DUE:
            return seen(ConceptStatus.SHAKY, f"due for review: recall {recall:.2f}", recall)
    if card.last_outcome.failed and card.last_review >= window_start:
        return seen(ConceptStatus.SHAKY, f"review failed on {card.last_review.date()}", recall)
    latest = module_progress.latest_attempt_as_of(as_of)
    if latest is not None and not latest.passed and latest.attempted_at >= window_start:
        failed_on = latest.attempted_at.date()
        return seen(ConceptStatus.SHAKY, f"assessment attempt failed on {failed_on}", recall)
    return seen(ConceptStatus.STRONG, f"recall {recall:.2f}", recall)


def _module_visibility(
    module: Module,
    progress: LearnerProgress,
    concepts: list[ConceptVisibility],
    as_of: datetime,
) -> ModuleVisibility:
    mastery = progress.mastery(module.id)
    if mastery is None or mastery.mastered_at > as_of:
        return ModuleVisibility(module_id=module.id, status=ConceptStatus.MISSING)
    worst = max((c.status for c in concepts), key=lambda s: s.risk_rank)
    return ModuleVisibility(module_id=module.id, status=worst, mastered_at=mastery.mastered_at)


def _risk(practitioner_id: str, concepts: list[ConceptVisibility]) -> PractitionerRisk:
    def count(status: ConceptStatus) -> int:
        return sum(1 for c in concepts if c.status is status)

    recalls = [c.retrievability for c in concepts if c.retrievability is not None]
    return PractitionerRisk(
        practitioner_id=practitioner_id,
        lapsed=count(ConceptStatus.LAPSED),
        shaky=count(ConceptStatus.SHAKY),
        missing=count(ConceptStatus.MISSING),
        strong=count(ConceptStatus.STRONG),
        mean_retrievability=sum(recalls) / len(recalls) if recalls else None,
    )
