"""Whether each initial requirement is met on a day, without the reasons.

A replay asks on every checkpoint day whether a level is granted; on most days it is
not, and then nothing reads the reasons or the evidence they rest on. Each judge
decides exactly as its checker in requirements.py / observations.py does (the same
shared computation, e.g. `module_chain`), only leaving the sentence unwritten, and is
remembered per timeline under the same inputs as its checker (``timeline.remember``),
marked apart from the checker's answer.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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
)
from services.certification.domain.timeline import Timeline

Judge = Callable[[Any, Timeline, date, date | None], bool]
_MET = "met"  # marks a judge's remembered answers apart from its checker's


def judge_for(requirement: Requirement) -> Judge:
    """What says whether `check_requirement` finds ``requirement`` met."""
    return _JUDGES[type(requirement)]


def _modules(requirement: ModulesMasteredInOrder, timeline: Timeline, on: date, _: Any) -> bool:
    met = timeline.remember(requirement, _MET, lambda: _chain_complete(requirement, timeline))
    return met[timeline.mastery_count(on)]


def _chain_complete(requirement: ModulesMasteredInOrder, timeline: Timeline) -> list[bool]:
    """After each prefix of the masteries (in date order), whether `module_chain` is whole.

    A later mastery never changes an earlier pick of the greedy chain (it is no earlier
    than any pick), so the chain only grows: each mastery extends it as far as it goes.
    """
    wanted = requirement.module_ids
    dates: dict[str, list[date]] = {}
    length, last = 0, date.min
    complete = [False]
    for mastery in timeline.masteries(date.max):
        dates.setdefault(mastery.module_id, []).append(mastery.occurred_on)
        while length < len(wanted):
            fitting = [day for day in dates.get(wanted[length], ()) if day >= last]
            if not fitting:
                break
            length, last = length + 1, fitting[0]
        complete.append(length == len(wanted))
    return complete


def _concepts(requirement: ConceptsNotLapsed, timeline: Timeline, on: date, _: Any) -> bool:
    return not timeline.any_concept_lapsed(on, requirement.concept_ids)


def _coaching(requirement: MonthlyCoaching, timeline: Timeline, on: date, _: Any) -> bool:
    dates, new_months = timeline.remember(
        requirement, _MET, lambda: _coached_months(requirement, timeline)
    )
    first = bisect_left(dates, coaching_window_start(requirement, on))
    end = bisect_right(dates, on)
    covered = 1 + new_months[end] - new_months[first + 1] if end > first else 0
    return covered >= requirement.min_months


def _coached_months(
    requirement: MonthlyCoaching, timeline: Timeline
) -> tuple[list[date], list[int]]:
    """The dates of the sessions with the components, and before each index how many of
    them opened a calendar month: months in ``dates[a:b]`` = 1 + ``new[b] - new[a + 1]``."""
    needed = requirement.required_components
    dates = [s.occurred_on for s in timeline.coaching_sessions(date.max) if needed <= s.components]
    new = [0]
    for index, day in enumerate(dates):
        opens = index == 0 or (day.year, day.month) != (
            dates[index - 1].year,
            dates[index - 1].month,
        )
        new.append(new[-1] + opens)
    return dates, new


def _ratings(requirement: SkillRatings, timeline: Timeline, on: date, _: Any) -> bool:
    met = timeline.remember(requirement, _MET, lambda: _all_rated_at_least(requirement, timeline))
    return met[timeline.rating_count(on)]


def _all_rated_at_least(requirement: SkillRatings, timeline: Timeline) -> list[bool]:
    """After each prefix of the ratings, whether every competency's rating in force (the
    latest, as `Timeline.current_ratings` has it) reaches the floor."""
    floor = requirement.min_level.rank
    current: dict[str, int] = {}
    met = []
    for rating in (None, *timeline.ratings()):
        if rating is not None:
            current[rating.competency] = rating.level.rank
        met.append(all(current.get(c, -1) >= floor for c in requirement.competencies))
    return met


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
