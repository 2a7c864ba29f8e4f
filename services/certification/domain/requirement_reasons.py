"""How each initial requirement type is judged on one day, with its reason.

The computations behind `requirements.check_requirement` (which remembers their
answers): each looks only at evidence dated on or before ``on`` through the
``Timeline`` and names the events its verdict rests on. `judges.py` shares the
decisions (`module_chain`, `coaching_window_start`) without writing the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from services.certification.domain import explain
from services.certification.domain.evidence import ConceptLapsed, ModuleMastered
from services.certification.domain.policy import (
    ConceptsNotLapsed,
    ModulesMasteredInOrder,
    MonthlyCoaching,
    SkillRatings,
    Tenure,
)
from services.certification.domain.state import RequirementResult
from services.certification.domain.timeline import ConceptEvent, Timeline


def concepts_not_lapsed(
    requirement: ConceptsNotLapsed, timeline: Timeline, on: date
) -> RequirementResult:
    lapsed, events = lapsed_concepts(timeline, on, requirement.concept_ids)
    return RequirementResult(
        requirement=requirement.type,
        met=not lapsed,
        reason=describe_concepts(lapsed, events),
        evidence_ids=tuple(e.event_id for e in (lapsed or events)),
    )


def module_chain(
    requirement: ModulesMasteredInOrder, timeline: Timeline, on: date
) -> tuple[list[ModuleMastered], dict[str, list[ModuleMastered]]]:
    """The modules mastered in order by ``on`` (as far as the order holds), and every
    mastery known by then per module.

    Decided on the mastery dates known now, never on a flag frozen when a mastery was
    recorded: a module mastered earlier in practice but sent later still counts.
    Greedy earliest pick per module: the earliest mastery that keeps the order leaves
    the most room for the next module, so the chain exists iff this finds it.
    """
    masteries: dict[str, list[ModuleMastered]] = {}
    for item in timeline.masteries(on):
        masteries.setdefault(item.module_id, []).append(item)
    chain: list[ModuleMastered] = []
    last: date | None = None
    for module_id in requirement.module_ids:
        for mastery in masteries.get(module_id, ()):  # in date order: the earliest fitting
            if last is None or mastery.occurred_on >= last:
                chain.append(mastery)
                last = mastery.occurred_on
                break
        else:
            break
    return chain, masteries


def modules_in_order(
    requirement: ModulesMasteredInOrder, timeline: Timeline, on: date
) -> RequirementResult:
    chain, masteries = module_chain(requirement, timeline, on)
    total = len(requirement.module_ids)
    met = len(chain) == total
    problem = ""
    if not met:
        module_id = requirement.module_ids[len(chain)]
        problem = _module_problem(
            module_id, masteries.get(module_id, []), chain[-1] if chain else None
        )
    done = ", ".join(f"{m.module_id} on {explain.day(m.occurred_on)}" for m in chain)
    reason = f"{len(chain)} of {total} modules mastered in order"
    reason += f": {done}" if done else ""
    reason += f"; {problem}" if problem else ""
    offending = [] if met else masteries.get(requirement.module_ids[len(chain)], [])
    return RequirementResult(
        requirement=requirement.type,
        met=met,
        reason=reason,
        evidence_ids=tuple(m.event_id for m in (*chain, *offending)),
    )


def _module_problem(
    module_id: str,
    attempts: Sequence[ModuleMastered],
    previous: ModuleMastered | None,
) -> str:
    if not attempts or previous is None:  # the first module has no order condition
        return f"{module_id} not mastered yet"
    latest = attempts[-1]
    return (
        f"{module_id} mastered on {latest.occurred_on}, before {previous.module_id} "
        f"on {previous.occurred_on}"
    )


def lapsed_concepts(
    timeline: Timeline, on: date, concept_ids: Sequence[str] | None
) -> tuple[list[ConceptLapsed], list[ConceptEvent]]:
    """The concepts lapsed on ``on`` and every in-scope concept's latest status event."""
    states = timeline.concept_states(on)
    events = [
        states[concept]
        for concept in sorted(states)
        if concept_ids is None or concept in concept_ids
    ]
    return [e for e in events if isinstance(e, ConceptLapsed)], events


def describe_concepts(lapsed: Sequence[ConceptLapsed], events: Sequence[ConceptEvent]) -> str:
    if lapsed:
        since = [f"{e.concept_id} since {explain.day(e.occurred_on)}" for e in lapsed]
        return f"{explain.count(len(lapsed), 'core concept')} lapsed: {explain.listing(since)}"
    if events:
        restored = explain.count(len(events), "lapsed concept")
        return f"no core concept lapsed ({restored} restored by review)"
    return "no core concept lapsed"


def monthly_coaching(
    requirement: MonthlyCoaching, timeline: Timeline, on: date
) -> RequirementResult:
    first_day = coaching_window_start(requirement, on)
    in_window = timeline.coaching_sessions_between(first_day, on)
    sessions = [s for s in in_window if requirement.required_components <= s.components]
    covered = sorted({_month(s.occurred_on) for s in sessions})
    components = " and ".join(sorted(requirement.required_components))
    span = f"{_month(first_day)} to {_month(on)}"
    reason = (
        f"sessions with {components} in {len(covered)} of the {requirement.window_months} "
        f"calendar months {span} (need {requirement.min_months})"
    )
    reason += f": {explain.listing(covered, limit=requirement.window_months)}" if covered else ""
    if len(sessions) < len(in_window):
        lacking = explain.count(len(in_window) - len(sessions), "session")
        reason += f"; {lacking} lacked {components}"
    return RequirementResult(
        requirement=requirement.type,
        met=len(covered) >= requirement.min_months,
        reason=reason,
        evidence_ids=tuple(s.event_id for s in sessions),
    )


def coaching_window_start(requirement: MonthlyCoaching, on: date) -> date:
    """The first day of the window: the calendar months ending with on's own month, so a
    session held earlier this month already counts (nobody waits for the month to end)."""
    return _window_start(on.year, on.month, requirement.window_months)


@lru_cache(maxsize=4096)
def _window_start(year: int, month: int, window_months: int) -> date:
    """Worked out once per month and window (the replay asks on every checkpoint day)."""
    first_month = year * 12 + month - window_months  # months since year 0
    return date(first_month // 12, first_month % 12 + 1, 1)


@lru_cache(maxsize=4096)
def _month(day: date) -> str:
    """``YYYY-MM``: formatted once per day (the fold asks on every checkpoint)."""
    return f"{day:%Y-%m}"


def skill_ratings(requirement: SkillRatings, timeline: Timeline, on: date) -> RequirementResult:
    current = timeline.current_ratings(on)
    floor = requirement.min_level
    below: list[str] = []
    rated: list[str] = []
    for competency in requirement.competencies:
        rating = current.get(competency)
        if rating is None:
            below.append(f"{competency} not rated")
            continue
        text = f"{competency} {rating.level.value} ({explain.day(rating.occurred_on)})"
        (rated if rating.level.rank >= floor.rank else below).append(text)
    total = len(requirement.competencies)
    reason = f"{total - len(below)} of {total} competencies rated {floor.value} or higher"
    reason += f": {explain.listing(rated, limit=total)}" if rated and not below else ""
    reason += f"; below: {explain.listing(below, limit=total)}" if below else ""
    used = [current[c] for c in requirement.competencies if c in current]
    return RequirementResult(
        requirement=requirement.type,
        met=not below,
        reason=reason,
        evidence_ids=tuple(r.event_id for r in used),
    )


def tenure(requirement: Tenure, timeline: Timeline, on: date) -> RequirementResult:
    start = timeline.program_start(on)
    if start is None:
        return RequirementResult(
            requirement=requirement.type, met=False, reason="no program start on record"
        )
    days = (on - start.started_on).days
    return RequirementResult(
        requirement=requirement.type,
        met=days >= requirement.min_days,
        reason=(
            f"{days} days since program start on {explain.day(start.started_on)} "
            f"(need {requirement.min_days})"
        ),
        evidence_ids=(start.event_id,),
    )
