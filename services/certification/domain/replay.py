"""The state a replay (`evaluate`) keeps per level and the days it walks, and the
revocation overlay it records transitions through.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from services.certification.domain.evidence import CertificationRevoked
from services.certification.domain.judges import Judge
from services.certification.domain.maintenance_alarms import Alarms
from services.certification.domain.policy import Level, Requirement
from services.certification.domain.requirements import Checker, checker_for
from services.certification.domain.rule_answers import RuleAnswers
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import (
    HELD,
    CertificationStatus,
    Transition,
    TransitionKind,
)

Status = CertificationStatus
Kind = TransitionKind


@dataclass
class Run:
    """One level's replay state; ``status`` is what the rules give, ignoring revocation."""

    level: Level
    status: Status = Status.NOT_STARTED
    certified_on: date | None = None
    at_risk_since: date | None = None
    lapsed_on: date | None = None
    revoked: bool = False
    transitions: list[Transition] = field(default_factory=list)
    # each initial requirement's checker, looked up once per replay, and its judge
    checks: tuple[tuple[Requirement, Checker], ...] = ()
    judges: tuple[Judge, ...] = ()
    alarms: Alarms = field(init=False)  # its maintenance rules' verdicts, bound likewise
    parent: Run | None = None  # the prerequisite level's run
    # Not started or in progress, as the evidence known on this day decides: settled
    # only when read (`evaluate._settle`), since a day that grants nothing needs only
    # one unmet requirement to tell.
    unsettled_on: date | None = None
    unmet: int = 0  # the judge that found a requirement unmet last: asked first next time

    def __post_init__(self) -> None:
        self.checks = _checks_of(self.level)

    def saved(self) -> RunState:
        """What the walk so far decided (a resumed replay restores it, `restore`)."""
        return RunState(
            self.status,
            self.certified_on,
            self.at_risk_since,
            self.lapsed_on,
            self.revoked,
            tuple(self.transitions),
            self.unsettled_on,
            self.unmet,
        )

    def restore(self, state: RunState) -> None:
        self.status, self.certified_on = state.status, state.certified_on
        self.at_risk_since, self.lapsed_on = state.at_risk_since, state.lapsed_on
        self.revoked, self.transitions = state.revoked, list(state.transitions)
        self.unsettled_on, self.unmet = state.unsettled_on, state.unmet

    @property
    def effective_status(self) -> Status:
        return Status.REVOKED if self.revoked else self.status


@dataclass(frozen=True, slots=True)
class RunState:
    """A `Run`'s state between two days of the walk, without what is bound to a timeline."""

    status: Status
    certified_on: date | None
    at_risk_since: date | None
    lapsed_on: date | None
    revoked: bool
    transitions: tuple[Transition, ...]
    unsettled_on: date | None
    unmet: int


def _checks_of(level: Level) -> tuple[tuple[Requirement, Checker], ...]:
    """Each initial requirement of ``level`` with its checker, looked up once per level
    object (a policy version never changes; the entry holds the level itself)."""
    return _CHECKS.get(level, None, _looked_up, level)


def _looked_up(level: Level) -> tuple[tuple[Requirement, Checker], ...]:
    return tuple((r, checker_for(r)) for r in level.requires)


_CHECKS: RuleAnswers[tuple[tuple[Requirement, Checker], ...]] = RuleAnswers()


class Agenda:
    """Checkpoint days in ascending order, up to ``as_of``; more can be added while walking
    (sorted once; a day added later goes among the days not walked yet).

    ``scheduled`` lists every day added, also those after ``as_of`` (a replay resumed
    later with a later ``as_of`` walks them); ``already`` are days added before."""

    def __init__(self, days: set[date], as_of: date, already: tuple[date, ...] = ()) -> None:
        self._as_of = as_of
        self._queued = {day for day in days if day <= as_of}
        self._days = sorted(self._queued)
        self._next = 0
        self.scheduled: list[date] = list(already)

    def schedule(self, day: date) -> None:
        self.scheduled.append(day)
        if day <= self._as_of and day not in self._queued:
            self._queued.add(day)
            insort(self._days, day, lo=self._next)

    def __iter__(self) -> Iterator[date]:
        days = self._days
        while self._next < len(days):
            self._next += 1
            yield days[self._next - 1]


def overlay_revocation(run: Run, timeline: Timeline, day: date, changes: list[Transition]) -> None:
    """Record ``changes`` (the rules' transitions of ``run`` on ``day``) through the
    revocation overlay: revoke a held level on an admin's revocation or its
    prerequisite's, reinstate it likewise, and keep what happens while revoked unreported."""
    parent = run.parent
    parent_revoked = parent is not None and parent.revoked
    action = timeline.admin_action(day, run.level.key)
    if run.revoked:
        revoked_now = isinstance(action, CertificationRevoked) or parent_revoked
    else:  # a revocation takes a level only if it is held on the revocation's date
        revoking = isinstance(action, CertificationRevoked) and action.occurred_on == day
        revoked_now = run.status in HELD and (revoking or parent_revoked)
    if revoked_now == run.revoked:
        if not revoked_now:
            run.transitions.extend(changes)
        return  # while revoked the rules keep running, unreported
    reasons: list[str] = []
    evidence_ids: tuple[str, ...] = ()
    if (
        action is not None
        and action.occurred_on == day
        and isinstance(action, CertificationRevoked) == revoked_now
    ):
        reasons = [f"{action.reason} (by {action.admin_id})"]
        evidence_ids = (action.event_id,)
    elif parent is not None:  # the prerequisite level was revoked or reinstated today
        verb = "revoked" if revoked_now else "reinstated"
        reasons = [f"{parent.level.title} ({parent.level.key}) {verb}"]
        evidence_ids = parent.transitions[-1].evidence_ids
    if revoked_now:
        run.transitions.extend(changes)
    kind, to_status = (
        (Kind.REVOKED, Status.REVOKED) if revoked_now else (Kind.REINSTATED, run.status)
    )
    run.transitions.append(
        Transition(
            level_key=run.level.key,
            kind=kind,
            on=day,
            from_status=run.effective_status,
            to_status=to_status,
            reasons=tuple(reasons),
            evidence_ids=evidence_ids,
        )
    )
    run.revoked = revoked_now
