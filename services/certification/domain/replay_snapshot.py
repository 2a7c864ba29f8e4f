"""A replay's state kept part-way through its walk, to resume from when evidence only adds.

`evaluate` walks every checkpoint day from the first evidence to ``as_of``. Evaluated
again after an item dated late in the history (the usual case: today's attempt, the
next observation of an import in date order), it would walk the same early days to the
same state. What the walk decided on the days before a day ``cut`` depends only on:

- the policy (its levels, rules and switches);
- the evidence dated before ``cut``: every rule judged on a day reads only evidence
  dated on or before it, and an item's being off the roster only on the leavings and
  returns before it;
- the checkpoint days before ``cut``: the dates of that evidence, its observations'
  ageing-out days, the at-risk clock's days the walk itself scheduled, and tenure days
  (a program start plus the rule's days). Only the last can come from later evidence: a
  roster change dated ``cut`` or later that moves the program start back.

So `ReplaySnapshot` holds the level states (`RunState`) after the days before ``cut``
(taken before the walk's day ``cut``, so before the final settling mutates them), the
clock days already scheduled for ``cut`` or later, and what they rest on. `fits` says
whether another evaluation rests on the same: the same policy, exactly the same items
dated before ``cut`` (whatever was retracted, voided or re-decided by a calibration,
it is compared item by item), no tenure day before ``cut`` from later evidence, and an
``as_of`` not before ``cut``. Then the replay restores the states, binds the judges to
its own timeline and walks only the days from ``cut``: the answer is the one a fresh
replay gives, to the transition. Otherwise it replays from the start.

``cut`` is the date of the latest evidence the replay folded: evidence arriving dated
that day or later resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.certification.domain.day_spans import day_span
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import Policy, Tenure
from services.certification.domain.replay import Agenda, Run, RunState
from services.certification.domain.timeline import Timeline


@dataclass(frozen=True, slots=True)
class ReplaySnapshot:
    """A replay under ``policy`` of ``evidence`` after every day before ``cut``."""

    policy: Policy
    evidence: EvidenceSet  # what was folded (the items dated before ``cut`` count)
    cut: date
    runs: tuple[RunState, ...]  # per level, in policy order
    scheduled: tuple[date, ...]  # at-risk clock days, ``cut`` or later, already scheduled

    def fits(self, policy: Policy, evidence: EvidenceSet, as_of: date, timeline: Timeline) -> bool:
        """Whether a replay of ``evidence`` as of ``as_of`` (on ``timeline``) walks the
        days before ``cut`` exactly as this one did."""
        cut = self.cut
        if as_of < cut or evidence.practitioner_id != self.evidence.practitioner_id:
            return False
        if policy is not self.policy and policy != self.policy:
            return False
        return (evidence is self.evidence or self.evidence.same_before(evidence, cut)) and (
            not late_tenure_days(policy, timeline, cut)
        )


def late_tenure_days(policy: Policy, timeline: Timeline, cut: date) -> bool:
    """Whether a program start the roster recorded on ``cut`` or later makes a tenure
    checkpoint before ``cut`` (a start moved back): then the days before ``cut`` are not
    those the evidence before it gives."""
    spans = {
        day_span(requirement.min_days)
        for level in policy.levels
        for requirement in level.requires
        if isinstance(requirement, Tenure)
    }
    return any(
        start.started_on + span < cut
        for start in timeline.program_starts()
        if start.occurred_on >= cut
        for span in spans
    )


def snapshot_cut(policy: Policy, timeline: Timeline, resumed: ReplaySnapshot | None) -> date | None:
    """Where a replay on ``timeline`` keeps its snapshot: before the day of the latest
    evidence (not before the cut it resumed from); None when there is no evidence, or a
    later roster change moved a tenure day before it."""
    if not timeline.dates:
        return None
    cut = timeline.dates[-1] if resumed is None else max(timeline.dates[-1], resumed.cut)
    return None if late_tenure_days(policy, timeline, cut) else cut


def take_snapshot(
    policy: Policy, evidence: EvidenceSet, cut: date, runs: tuple[Run, ...], agenda: Agenda
) -> ReplaySnapshot:
    """The replay's state now, before its first day from ``cut`` on."""
    return ReplaySnapshot(
        policy=policy,
        evidence=evidence,
        cut=cut,
        runs=tuple(run.saved() for run in runs),
        scheduled=tuple(sorted({day for day in agenda.scheduled if day >= cut})),
    )
