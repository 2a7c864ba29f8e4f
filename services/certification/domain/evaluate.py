"""``evaluate(policy, evidence, as_of)``: the pure certification fold, replayed over time.

Certification is path-dependent: once granted, a level stays certified while its
maintenance holds, even if the initial rules would no longer all be met. A pure,
order-independent fold gets there by *replaying the timeline*: it walks the
checkpoint days in order up to ``as_of`` and moves each level's status on each day.
The result is the state as of ``as_of`` plus every transition with its date, so
"as of any past date" is the same call with an earlier date, and the service
publishes only transitions it has not published before (``new_transitions``).

Checkpoints are every evidence date plus the days on which time alone changes a
rule: tenure reached (program start + min_days), an observation ageing out of a
"no qualifying observation in N days" rule (observation date + N + 1) and the
at-risk clock running out (entered at risk + at_risk_for_days). Between checkpoints
nothing can change: every other rule only becomes true with new evidence. Evidence
dated after ``as_of`` is ignored.

Per level and checkpoint day:

- not started / in progress / lapsed: if every initial requirement (and a
  prerequisite level being *certified*) is met that day → **granted**. Otherwise
  not started when no requirement rests on any evidence, else in progress.
- After a lapse the practitioner requalifies under the initial rules, and only
  observations dated after the lapse day count: competence must be shown again,
  not carried over by the observations the lapse outlived.
- certified / at risk (maintenance, also right after a grant on the same day):
  a lapse rule fires → **lapsed**; an at-risk rule fires while certified →
  **at risk** (the clock starts); no at-risk rule fires while at risk →
  **restored**. "At risk too long" only counts while an at-risk rule still fires,
  so a practitioner who meets maintenance on the clock's last day is restored.
- A level with a prerequisite is at risk while the prerequisite is at risk and
  lapses when it is no longer held.
- **revoked** is an overlay that only admin evidence sets (for one level, or for all
  when the revocation names none) and that reaches dependent levels too. It takes
  only a level *held* (certified or at risk) on the revocation's date: a revocation
  never announces a level that was not held. The rules keep running underneath;
  transitions while revoked are not reported, and **reinstated** returns the level
  to whatever status the rules give that day. A dependent level is not granted
  while its prerequisite is revoked.

While the practitioner is off the roster (from a leaving day up to the return day)
no day is stepped: statuses stay as they were on the leaving day and no transition
is dated inside the period. The return day is a checkpoint like any evidence date:
every rule is judged on it, so what time did meanwhile (tenure reached, an
observation aged out, the at-risk clock run out) shows then, dated the return day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.certification.domain.day_spans import day_span
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.judges import bind_judge
from services.certification.domain.maintenance import (
    MaintenanceVerdict,
    check_maintenance,
    flip_dates,
)
from services.certification.domain.maintenance_alarms import bind_alarms
from services.certification.domain.policy import Policy, Tenure
from services.certification.domain.replay import Agenda, Run, overlay_revocation
from services.certification.domain.replay_snapshot import (
    ReplaySnapshot,
    snapshot_cut,
    take_snapshot,
)
from services.certification.domain.requirements import Prerequisite, check_prerequisite
from services.certification.domain.state import (
    CertificationState,
    LevelState,
    RequirementResult,
    RuleResult,
)
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKind,
)

Status = CertificationStatus
Kind = TransitionKind


_CERTIFIED, _AT_RISK, _LAPSED = Status.CERTIFIED, Status.AT_RISK, Status.LAPSED
_IN_PROGRESS, _NOT_STARTED = Status.IN_PROGRESS, Status.NOT_STARTED


def fold_timeline(policy: Policy, evidence: EvidenceSet, as_of: date) -> Timeline:
    """The timeline ``evaluate`` replays: a caller that also asks `schedule.next_change_on`
    builds it once and hands it to both."""
    return Timeline(
        evidence, until=as_of, count_imported_paper=policy.observations.count_imported_paper
    )


def evaluate(
    policy: Policy, evidence: EvidenceSet, as_of: date, *, timeline: Timeline | None = None
) -> CertificationState:
    """Every level's status as of ``as_of`` with reasons, and the transitions that led there.

    ``timeline``, when given, is ``fold_timeline(policy, evidence, as_of)``.
    """
    return replay(policy, evidence, as_of, timeline=timeline).state


@dataclass(frozen=True, slots=True)
class Replayed:
    """What `replay` answers: the state, the snapshot it kept (when asked and possible),
    and whether it resumed from the one it was given."""

    state: CertificationState
    kept: ReplaySnapshot | None
    resumed: bool


def replay(
    policy: Policy,
    evidence: EvidenceSet,
    as_of: date,
    *,
    timeline: Timeline | None = None,
    resume: ReplaySnapshot | None = None,
    keep: bool = False,
) -> Replayed:
    """`evaluate`, resuming from ``resume`` when it fits (domain/replay_snapshot.py) and,
    with ``keep``, keeping a snapshot of the walk before the day of the latest evidence:
    the answer is the same whether it resumed or not."""
    if timeline is None:
        timeline = fold_timeline(policy, evidence, as_of)
    runs = {level.key: Run(level) for level in policy.levels}
    for run in runs.values():
        run.judges = tuple(bind_judge(r, timeline) for r in run.level.requires)
        run.alarms = bind_alarms(run.level.maintenance, timeline)
    for run in runs.values():
        if run.level.requires_level is not None:
            run.parent = runs[run.level.requires_level]
    ordered = tuple(runs.values())
    checkpoints = _checkpoints(policy, timeline)
    resumed = resume is not None and resume.fits(policy, evidence, as_of, timeline)
    if resume is not None and resumed:
        for run, saved in zip(ordered, resume.runs, strict=True):
            run.restore(saved)
        walked = {day for day in checkpoints if day >= resume.cut}
        agenda = Agenda(walked.union(resume.scheduled), as_of, resume.scheduled)
    else:
        agenda = Agenda(checkpoints, as_of)
    cut = snapshot_cut(policy, timeline, resume if resumed else None) if keep else None
    kept: ReplaySnapshot | None = None
    away = bool(timeline.away)
    for day in agenda:
        if cut is not None and kept is None and day >= cut:
            kept = take_snapshot(policy, evidence, cut, ordered, agenda)
        if away and timeline.is_away(day):
            continue  # off the roster: nothing moves until the return day
        for run in ordered:
            _step(run, runs, timeline, day, agenda)
    if cut is not None and kept is None:
        kept = take_snapshot(policy, evidence, cut, ordered, agenda)
    for run in ordered:
        _settle(run, timeline)
    levels = tuple(_level_state(runs[level.key], runs, timeline, as_of) for level in policy.levels)
    # A stable sort keeps policy level order, then replay order, within one day.
    transitions = sorted((t for level in levels for t in level.transitions), key=lambda t: t.on)
    state = CertificationState(
        practitioner_id=evidence.practitioner_id,
        policy_id=policy.id,
        policy_version=policy.version,
        as_of=as_of,
        levels=levels,
        transitions=tuple(transitions),
    )
    return Replayed(state, kept, resumed)


def _checkpoints(policy: Policy, timeline: Timeline) -> set[date]:
    days = set(timeline.dates)
    for level in policy.levels:
        for requirement in level.requires:
            if isinstance(requirement, Tenure):
                days |= {
                    start.started_on + day_span(requirement.min_days)
                    for start in timeline.program_starts()
                }
        if level.maintenance is not None:
            days |= flip_dates(level.maintenance, timeline)
    return days


def _prerequisite(
    run: Run, runs: dict[str, Run], timeline: Timeline, *, for_grant: bool = False
) -> Prerequisite | None:
    key = run.level.requires_level
    if key is None:
        return None
    _settle(runs[key], timeline)
    # Maintenance sees the prerequisite's rule status: its revocation reaches a held
    # level through the overlay instead, so a reinstatement restores both. A grant
    # sees the revocation: nothing is granted on a revoked prerequisite.
    status = runs[key].effective_status if for_grant else runs[key].status
    return Prerequisite(key=key, title=runs[key].level.title, status=status)


def _initial_results(
    run: Run, prerequisite: Prerequisite | None, timeline: Timeline, day: date
) -> list[RequirementResult]:
    """The initial requirements judged on ``day`` with their reasons, in policy order."""
    results = [check_prerequisite(prerequisite)] if prerequisite is not None else []
    counts_after = run.lapsed_on if run.status is Status.LAPSED else None
    results.extend(
        check(requirement, timeline, day, counts_after) for requirement, check in run.checks
    )
    return results


def _step(run: Run, runs: dict[str, Run], timeline: Timeline, day: date, agenda: Agenda) -> None:
    changes: list[Transition] = []
    status = run.status
    if status is not _CERTIFIED and status is not _AT_RISK:
        if _all_met(run, timeline, day):
            results = _initial_results(
                run, _prerequisite(run, runs, timeline, for_grant=True), timeline, day
            )
            changes.append(_grant(run, day, results, timeline))
        elif status is not _LAPSED:
            run.unsettled_on = day
    status = run.status
    if status is _CERTIFIED or status is _AT_RISK:
        parent = run.parent
        # the prerequisite's status is the same before and after this level's step
        at_risk, lapse = run.alarms(day, run.at_risk_since, parent.status if parent else None)
        if lapse or at_risk is (status is _CERTIFIED):  # a transition: judged with reasons
            verdict = check_maintenance(
                run.level.maintenance,
                timeline,
                day,
                run.at_risk_since,
                _prerequisite(run, runs, timeline),
                effect="lapse" if lapse else "at_risk",  # the rules that move it today
            )
            changes.extend(_maintain(run, day, verdict, agenda, at_risk=at_risk))
    parent = run.parent
    if run.revoked or timeline.has_admin_actions or (parent is not None and parent.revoked):
        overlay_revocation(run, timeline, day, changes)
    elif changes:  # nothing can revoke it: the common day, quickly
        run.transitions.extend(changes)


def _all_met(run: Run, timeline: Timeline, day: date) -> bool:
    """Whether every initial requirement (and the prerequisite) is met on ``day``; asks
    first the one found unmet last time, which mostly still is."""
    parent = run.parent
    if parent is not None and (parent.revoked or parent.status is not _CERTIFIED):
        return False
    counts_after = run.lapsed_on if run.status is _LAPSED else None
    judges = run.judges
    if not judges:
        return True
    first = run.unmet
    if not judges[first](day, counts_after):
        return False
    for index, judge in enumerate(judges):
        if index != first and not judge(day, counts_after):
            run.unmet = index
            return False
    return True


def _settle(run: Run, timeline: Timeline) -> None:
    """Decide a not-yet-granted level between not started and in progress: in progress
    once any initial requirement rests on evidence known on its last judged day."""
    day = run.unsettled_on
    if day is None:
        return
    run.unsettled_on = None
    started = any(check(r, timeline, day, None).evidence_ids for r, check in run.checks)
    run.status = _IN_PROGRESS if started else _NOT_STARTED


def _grant(
    run: Run, day: date, results: Sequence[RequirementResult], timeline: Timeline
) -> Transition:
    _settle(run, timeline)  # the status it is granted from
    granted = _transition(run, Kind.GRANTED, day, Status.CERTIFIED, results)
    run.status, run.certified_on, run.lapsed_on = Status.CERTIFIED, day, None
    return granted


def _maintain(
    run: Run, day: date, verdict: MaintenanceVerdict, agenda: Agenda, *, at_risk: bool
) -> list[Transition]:
    """The transition maintenance makes on ``day``: ``verdict`` holds the rules of the
    effect that moves the status (a lapse, else the at-risk ones), ``at_risk`` says
    whether an at-risk rule fires."""
    lapse = [r for r in verdict.fired("lapse") if r.rule != "at_risk_too_long" or at_risk]
    if lapse:
        lapsed = _transition(run, Kind.LAPSED, day, Status.LAPSED, lapse)
        run.status, run.lapsed_on, run.at_risk_since = Status.LAPSED, day, None
        return [lapsed]
    if at_risk and run.status is Status.CERTIFIED:
        endangered = _transition(run, Kind.AT_RISK, day, Status.AT_RISK, verdict.fired("at_risk"))
        run.status, run.at_risk_since = Status.AT_RISK, day
        maintenance = run.level.maintenance
        if maintenance is not None and maintenance.lapse.at_risk_for_days is not None:
            agenda.schedule(day + day_span(maintenance.lapse.at_risk_for_days))
        return [endangered]
    if not at_risk and run.status is Status.AT_RISK:
        cleared = [r for r in verdict.rules if r.effect == "at_risk"]
        restored = _transition(run, Kind.RESTORED, day, Status.CERTIFIED, cleared)
        run.status, run.at_risk_since = Status.CERTIFIED, None
        return [restored]
    return []


def _transition(
    run: Run,
    kind: TransitionKind,
    day: date,
    to_status: Status,
    because: Sequence[RequirementResult | RuleResult],
) -> Transition:
    """A rule-driven transition from the run's current status, explained by ``because``."""
    return Transition(
        level_key=run.level.key,
        kind=kind,
        on=day,
        from_status=run.status,
        to_status=to_status,
        reasons=tuple(r.reason for r in because),
        # dict.fromkeys: unique ids in first-seen order (a set would reorder them).
        evidence_ids=tuple(dict.fromkeys(i for r in because for i in r.evidence_ids)),
    )


def _level_state(run: Run, runs: dict[str, Run], timeline: Timeline, as_of: date) -> LevelState:
    prerequisite = _prerequisite(run, runs, timeline)
    # Maintenance is only news for a level that has been granted at some point.
    verdict = (
        check_maintenance(run.level.maintenance, timeline, as_of, run.at_risk_since, prerequisite)
        if run.certified_on is not None
        else MaintenanceVerdict(())
    )
    return LevelState(
        level_key=run.level.key,
        title=run.level.title,
        status=run.effective_status,
        since=run.transitions[-1].on if run.transitions else None,
        certified_on=run.certified_on,
        at_risk_since=run.at_risk_since,
        requirements=tuple(
            _initial_results(
                run, _prerequisite(run, runs, timeline, for_grant=True), timeline, as_of
            )
        ),
        maintenance=verdict.rules,
        transitions=tuple(run.transitions),
    )
