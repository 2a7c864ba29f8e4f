"""Whether each initial requirement is met on a day, without the reasons.

A replay asks on every checkpoint day whether a level is granted; on most days it is
not, and then nothing reads the reasons or the evidence they rest on. Each judge
decides exactly as its checker in requirements.py / observations.py does (the same
shared computation, e.g. `module_chain`), only leaving the sentence unwritten, and is
remembered per timeline under the same inputs as its checker (``timeline.remember``),
marked apart from the checker's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from services.certification.domain.observations import (
    anchor_rule,
    counted_candidates,
    select_spaced,
)
from services.certification.domain.policy import (
    ConceptsNotLapsed,
    ModulesMasteredInOrder,
    MonthlyCoaching,
    QualifyingObservations,
    Requirement,
    SkillRatings,
    Tenure,
)
from services.certification.domain.requirements import (
    coaching_window_start,
    module_chain,
)
from services.certification.domain.timeline import Timeline

Judge = Callable[[Any, Timeline, date, date | None], bool]
_MET = "met"  # marks a judge's remembered answer apart from its checker's


def judge_for(requirement: Requirement) -> Judge:
    """What says whether `check_requirement` finds ``requirement`` met."""
    return _JUDGES[type(requirement)]


def _modules(requirement: ModulesMasteredInOrder, timeline: Timeline, on: date, _: Any) -> bool:
    return timeline.remember(
        requirement,
        (_MET, timeline.mastery_count(on)),
        lambda: len(module_chain(requirement, timeline, on)[0]) == len(requirement.module_ids),
    )


def _concepts(requirement: ConceptsNotLapsed, timeline: Timeline, on: date, _: Any) -> bool:
    return not timeline.any_concept_lapsed(on, requirement.concept_ids)


def _coaching(requirement: MonthlyCoaching, timeline: Timeline, on: date, _: Any) -> bool:
    return timeline.remember(
        requirement,
        (_MET, timeline.session_count(on), on.year, on.month),
        lambda: _coached_months(requirement, timeline, on) >= requirement.min_months,
    )


def _coached_months(requirement: MonthlyCoaching, timeline: Timeline, on: date) -> int:
    """How many calendar months of the window had a session with the components."""
    needed = requirement.required_components
    sessions = timeline.coaching_sessions_between(coaching_window_start(requirement, on), on)
    return len(
        {(s.occurred_on.year, s.occurred_on.month) for s in sessions if needed <= s.components}
    )


def _ratings(requirement: SkillRatings, timeline: Timeline, on: date, _: Any) -> bool:
    return timeline.remember(
        requirement,
        (_MET, timeline.rating_count(on)),
        lambda: _all_rated_at_least(requirement, timeline, on),
    )


def _all_rated_at_least(requirement: SkillRatings, timeline: Timeline, on: date) -> bool:
    current = timeline.current_ratings(on)
    floor = requirement.min_level.rank
    for competency in requirement.competencies:
        rating = current.get(competency)
        if rating is None or rating.level.rank < floor:
            return False
    return True


def _observations(
    requirement: QualifyingObservations, timeline: Timeline, on: date, counts_after: date | None
) -> bool:
    kind = requirement.instrument_kind
    earliest = on - timedelta(days=requirement.window_days)
    start, end = timeline.observation_span(kind, on, earliest, counts_after)

    def judge() -> bool:
        considered = timeline.observations(on, kind)[start:end]
        candidates, _ = counted_candidates(requirement, timeline, considered)
        anchor_ok = anchor_rule(requirement, timeline)
        return bool(
            select_spaced(
                candidates, requirement.min_count, requirement.min_spacing_days, anchor_ok
            )
        )

    return timeline.remember(requirement, (_MET, start, end, counts_after), judge)


def _tenure(requirement: Tenure, timeline: Timeline, on: date, _: Any) -> bool:
    start = timeline.program_start(on)
    return start is not None and (on - start.started_on).days >= requirement.min_days


# One judge per requirement type, like requirements.py's checkers.
_JUDGES: dict[type, Judge] = {
    ModulesMasteredInOrder: _modules,
    ConceptsNotLapsed: _concepts,
    MonthlyCoaching: _coaching,
    SkillRatings: _ratings,
    Tenure: _tenure,
    QualifyingObservations: _observations,
}
