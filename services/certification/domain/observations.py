"""Which fidelity observations count, and the qualifying-observations requirement.

An observation counts on its own when the observer was calibrated on the meeting
date, is not the practitioner, the scores reach the thresholds, and (for an
observation imported from a paper form) the policy counts imported paper ones. Several of them
must then also be spaced in time, and at least one observer must be independent of
the practitioner's coach. ``select_spaced`` answers whether *any* such set exists
(not just the first observations to hand) and returns the most recent one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise

from services.certification.domain import explain
from services.certification.domain.day_spans import day_span
from services.certification.domain.evidence import EvidenceSet, ObservationRecorded
from services.certification.domain.policy import QualifyingObservations
from services.certification.domain.rule_answers import RuleAnswers
from services.certification.domain.state import RequirementResult
from services.certification.domain.timeline import Timeline
from services.certification.domain.vocabulary import INSTRUMENT_NAMES


def disqualification(
    item: ObservationRecorded,
    *,
    practitioner_id: str,
    count_imported_paper: bool = True,
    calibrated_only: bool = True,
    min_total: float = 0,
    min_domain: float | None = None,
) -> str | None:
    """Why ``item`` does not count on its own, or None when it does."""
    if item.imported and not count_imported_paper:
        return "imported from a paper form, which this policy does not count"
    if calibrated_only and not item.observer_calibrated:
        return f"observer {item.observer_id} not calibrated"
    if item.observer_id == practitioner_id:
        return "observed by the practitioner"
    if item.total_percent < min_total:
        return f"total {explain.percent(item.total_percent)} below {explain.percent(min_total)}"
    if min_domain is not None:
        low = sorted((v, d) for d, v in item.domain_percents.items() if v < min_domain)
        if low:
            value, domain = low[0]
            return f"domain {domain} {explain.percent(value)} below {explain.percent(min_domain)}"
    return None


def select_spaced(
    candidates: Sequence[ObservationRecorded],
    min_count: int,
    min_spacing_days: int,
    anchor_ok: Callable[[ObservationRecorded], bool],
) -> tuple[ObservationRecorded, ...]:
    """The most recent ``min_count`` candidates spaced apart, one of them ``anchor_ok``.

    ``candidates`` are in chronological order. For each acceptable anchor (latest
    first) a greedy walk outwards picks the nearest spaced neighbours on each side,
    which maximises how many fit around it; if enough fit, a set exists. Empty when
    no set does.
    """
    for index in reversed(range(len(candidates))):
        anchor = candidates[index]
        if not anchor_ok(anchor):
            continue
        before: list[ObservationRecorded] = []
        last = anchor.occurred_on
        for item in reversed(candidates[:index]):
            if (last - item.occurred_on).days >= min_spacing_days:
                before.append(item)
                last = item.occurred_on
        after: list[ObservationRecorded] = []
        last = anchor.occurred_on
        for item in candidates[index + 1 :]:
            if (item.occurred_on - last).days >= min_spacing_days:
                after.append(item)
                last = item.occurred_on
        chain = [*reversed(before), anchor, *after]
        if len(chain) >= min_count:
            # The latest run of min_count in the chain that still contains the anchor.
            end = min(len(chain) - 1, len(before) + min_count - 1)
            return tuple(chain[end - min_count + 1 : end + 1])
    return ()


def check_qualifying_observations(
    requirement: QualifyingObservations,
    timeline: Timeline,
    on: date,
    counts_after: date | None,
) -> RequirementResult:
    """Judge the requirement on ``on``; only observations after ``counts_after`` count.

    ``counts_after`` is the lapse date of a lapsed level: requalifying needs
    competence shown again, not the observations that the lapse outlived.

    The answer reads only the observations in the window (a contiguous run of the
    timeline's observations of the kind) and ``counts_after``, so it is remembered
    under those (``Timeline.remember``): the replay asks on every checkpoint day.
    """
    earliest = on - day_span(requirement.window_days)
    start, end = timeline.observation_span(requirement.instrument_kind, on, earliest, counts_after)
    if start == end:  # none in the window
        return _WITHOUT_OBSERVATIONS.get(
            requirement, counts_after, _judged_without_observations, requirement, counts_after
        )
    return timeline.remember(
        requirement,
        (start, end, counts_after),
        lambda: _judge_observations(
            requirement,
            timeline,
            timeline.observations(on, requirement.instrument_kind)[start:end],
            counts_after,
        ),
    )


def _judged_without_observations(
    requirement: QualifyingObservations, counts_after: date | None
) -> RequirementResult:
    """The answer when no observation is in the window: the same for every practitioner
    and day (only the lapse day shows in it), so judged once per requirement and lapse."""
    nobody = Timeline(EvidenceSet("nobody"), until=date.min)
    return _judge_observations(requirement, nobody, (), counts_after)


_WITHOUT_OBSERVATIONS: RuleAnswers[RequirementResult] = RuleAnswers()


def _judge_observations(
    requirement: QualifyingObservations,
    timeline: Timeline,
    considered: Sequence[ObservationRecorded],
    counts_after: date | None,
) -> RequirementResult:
    kind = INSTRUMENT_NAMES[requirement.instrument_kind]
    candidates, excluded = counted_candidates(requirement, timeline, considered)

    def independent(item: ObservationRecorded) -> bool:
        return item.observer_id != timeline.coach_on(item.occurred_on)

    anchor_ok = anchor_rule(requirement, timeline)
    need = requirement.min_count
    spacing = requirement.min_spacing_days
    scope = f"in the last {requirement.window_days} days"
    if counts_after is not None:
        scope += f" after the lapse on {counts_after}"
    chosen = select_spaced(candidates, need, spacing, anchor_ok)
    if chosen:
        reason = (
            f"{len(chosen)} of {need} qualifying {kind} observations {scope}: "
            + explain.listing([explain.observation(item) for item in chosen])
            + _gaps(chosen)
        )
        if requirement.require_independent_observer:
            outsider = next(item for item in reversed(chosen) if independent(item))
            reason += (
                f"; {outsider.observation_id} observed by {outsider.observer_id}, "
                "not the practitioner's coach"
            )
        return RequirementResult(
            requirement=requirement.type,
            met=True,
            reason=reason,
            evidence_ids=tuple(item.event_id for item in chosen),
        )

    found = explain.listing([explain.observation(item) for item in candidates])
    if len(candidates) < need:
        reason = f"{len(candidates)} of {need} qualifying {kind} observations {scope}"
        reason += f": {found}" if candidates else ""
    elif not select_spaced(candidates, need, spacing, any_observer):
        reason = (
            f"{len(candidates)} qualifying {kind} observations {scope} ({found}), "
            f"but no {need} of them are {spacing} days apart"
        )
    else:
        coaches = sorted({item.observer_id for item in candidates if not independent(item)})
        reason = (
            f"{len(candidates)} qualifying {kind} observations {scope} ({found}), but every "
            f"spaced set was observed only by the practitioner's coach ({', '.join(coaches)})"
        )
    if excluded:
        reason += "; not counted: " + explain.listing(excluded)
    return RequirementResult(
        requirement=requirement.type,
        met=False,
        reason=reason,
        evidence_ids=tuple(item.event_id for item in considered),
    )


def counted_candidates(
    requirement: QualifyingObservations,
    timeline: Timeline,
    considered: Sequence[ObservationRecorded],
) -> tuple[list[ObservationRecorded], list[str]]:
    """The observations of ``considered`` that count on their own, and why each other
    one does not."""
    candidates: list[ObservationRecorded] = []
    excluded: list[str] = []
    for item in considered:
        why_not = disqualification(
            item,
            practitioner_id=timeline.practitioner_id,
            count_imported_paper=timeline.count_imported_paper,
            calibrated_only=requirement.calibrated_only,
            min_total=requirement.min_total,
            min_domain=requirement.min_domain,
        )
        if why_not is None:
            candidates.append(item)
        else:
            excluded.append(f"{item.observation_id} ({why_not})")
    return candidates, excluded


def anchor_rule(
    requirement: QualifyingObservations, timeline: Timeline
) -> Callable[[ObservationRecorded], bool]:
    """Which observation may anchor a spaced set: one by an observer other than the
    practitioner's coach that day, when the requirement asks for one; else any."""

    def independent(item: ObservationRecorded) -> bool:
        return item.observer_id != timeline.coach_on(item.occurred_on)

    return independent if requirement.require_independent_observer else any_observer


def any_observer(item: ObservationRecorded) -> bool:
    return True


def _gaps(chosen: Sequence[ObservationRecorded]) -> str:
    gaps = [(b.occurred_on - a.occurred_on).days for a, b in pairwise(chosen)]
    if not gaps:
        return ""
    return "; " + ", ".join(str(gap) for gap in gaps) + " days apart"
