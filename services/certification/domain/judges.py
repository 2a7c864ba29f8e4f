"""Whether each initial requirement is met on a day, without the reasons.

A replay asks on every checkpoint day whether a level is granted; on most days it is
not, and then nothing reads the reasons or the evidence they rest on. Each judge
decides exactly as its checker in requirements.py / observations.py does (sharing its
computation, e.g. `module_chain`'s greedy pick), only leaving the sentence unwritten.
A judge is bound to one timeline: what it reads is computed once for every prefix of
its evidence (or, for observations, remembered per window), so most days cost one
bisection.
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
from services.certification.domain.requirement_reasons import coaching_window_start
from services.certification.domain.timeline import Timeline

# Met on the day, given the lapse after which observations count (None: no lapse)?
Judge = Callable[[date, date | None], bool]


def bind_judge(requirement: Requirement, timeline: Timeline) -> Judge:
    """What says whether `check_requirement` finds ``requirement`` met on ``timeline``."""
    binder: Callable[[Any, Timeline], Judge] = _BINDERS[type(requirement)]
    return binder(requirement, timeline)


def _modules(requirement: ModulesMasteredInOrder, timeline: Timeline) -> Judge:
    return _per_prefix(timeline.mastery_count, lambda: _chain_complete(requirement, timeline))


def _concepts(requirement: ConceptsNotLapsed, timeline: Timeline) -> Judge:
    ids = requirement.concept_ids
    return lambda on, _: not timeline.any_concept_lapsed(on, ids)


def _ratings(requirement: SkillRatings, timeline: Timeline) -> Judge:
    return _per_prefix(timeline.rating_count, lambda: _all_rated_at_least(requirement, timeline))


def _per_prefix(count: Callable[[date], int], answers: Callable[[], list[bool]]) -> Judge:
    """A judge reading ``answers()[count(on)]``, the answers computed on first use."""
    known: list[bool] = []

    def judge(on: date, _: date | None) -> bool:
        if not known:
            known.extend(answers())
        return known[count(on)]

    return judge


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
            for day in dates.get(wanted[length], ()):  # the earliest that keeps the order
                if day >= last:
                    length, last = length + 1, day
                    break
            else:
                break
        complete.append(length == len(wanted))
    return complete


def _coaching(requirement: MonthlyCoaching, timeline: Timeline) -> Judge:
    dates: list[date] = []
    opened = [0]
    ready = False  # filled on first use: many replays never ask this judge

    def judge(on: date, _: date | None) -> bool:
        nonlocal ready
        if not ready:
            _month_openings(requirement, timeline, dates, opened)
            ready = True
        first = bisect_left(dates, coaching_window_start(requirement, on))
        end = bisect_right(dates, on)
        covered = 1 + opened[end] - opened[first + 1] if end > first else 0
        return covered >= requirement.min_months

    return judge


def _month_openings(
    requirement: MonthlyCoaching, timeline: Timeline, dates: list[date], opened: list[int]
) -> None:
    """The dates of the sessions that count, and before each index how many of them
    opened a calendar month: the months in ``dates[a:b]`` are 1 + ``opened[b] -
    opened[a + 1]``."""
    needed = requirement.required_components
    sessions = timeline.coaching_sessions(date.max)
    dates.extend(s.occurred_on for s in sessions if needed <= s.components)
    for index, day in enumerate(dates):
        before = dates[index - 1] if index else None
        opens = before is None or (day.year, day.month) != (before.year, before.month)
        opened.append(opened[-1] + opens)


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


def _observations(requirement: QualifyingObservations, timeline: Timeline) -> Judge:
    kind = requirement.instrument_kind
    window = timedelta(days=requirement.window_days)
    anchor_ok = anchor_rule(requirement, timeline)
    known: dict[tuple[int, int, date | None], bool] = {}

    def judge(on: date, counts_after: date | None) -> bool:
        start, end = timeline.observation_span(kind, on, on - window, counts_after)
        found = known.get((start, end, counts_after))
        if found is None:  # the window's observations decide, whatever the day
            considered = timeline.observations(date.max, kind)[start:end]
            candidates, _ = counted_candidates(requirement, timeline, considered)
            spaced = select_spaced(
                candidates, requirement.min_count, requirement.min_spacing_days, anchor_ok
            )
            found = known[(start, end, counts_after)] = bool(spaced)
        return found

    return judge


def _tenure(requirement: Tenure, timeline: Timeline) -> Judge:
    def judge(on: date, _: date | None) -> bool:
        start = timeline.program_start(on)
        return start is not None and (on - start.started_on).days >= requirement.min_days

    return judge


_BINDERS: dict[type, Callable[[Any, Timeline], Judge]] = {
    ModulesMasteredInOrder: _modules,
    ConceptsNotLapsed: _concepts,
    MonthlyCoaching: _coaching,
    SkillRatings: _ratings,
    QualifyingObservations: _observations,
    Tenure: _tenure,
}
