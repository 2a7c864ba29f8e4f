"""What to publish after an evaluation: new transitions, and corrections for late evidence.

Subscribers (agency apps) read events in publication order and most keep only the
latest per level, so the rule is: **the last event published for a level always
carries that level's current status**.

- Each transition of the fold not yet published is published, in order, with its
  own practice date (``effective_on`` may lie in the past: back-dated evidence).
- Late evidence can write published transitions out of history
  (``retracted_transitions``). They are never deleted; the first event published for
  that level in the same round lists them in ``corrects``.
- If, after that, the level's last published status still differs from its current
  status (a retraction left it stale, or a back-dated transition was inserted before
  a later one that still stands), a **correction** is published: an event of the
  kind that leads from the announced status to the current one (at risk → certified
  is ``restored``, revoked → anything is ``reinstated``, held → not held is
  ``lapsed``…) with ``correction: true``, dated from when the current status holds.
- Retractions that need no published event (the announced status is right anyway)
  are recorded in the log only (``TransitionsRetracted``), so history shows them.
- **Effective dates never run backwards** within one level: an event whose true date
  lies before the level's last published ``effective_on`` is published with that date
  instead (``clamp_dates``), its true date kept in ``true_effective_on``; such an event
  is always late news: it corrects or follows a correction of what was announced.
- Transitions an import window *settled* (``Announced.published`` false: accounted
  for at the window's close, never published, see ``netting.py``) count as known, so
  they are not published later; they never appear in ``corrects``.

``plan_publication`` is pure and idempotent: planning again after publishing the
plan yields nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from services.certification.domain.state import CertificationState, LevelState
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKey,
    TransitionKind,
    new_transitions,
    retracted_transitions,
)

Status = CertificationStatus
Kind = TransitionKind
ANNOUNCED = frozenset({Status.CERTIFIED, Status.AT_RISK, Status.LAPSED, Status.REVOKED})


@dataclass(frozen=True)
class Announced:
    """A transition event already published (or recorded), as the projection keeps it."""

    event_id: str
    transition: Transition  # ``on`` is the true practice date
    correction: bool = False
    retracted: bool = False
    published: bool = True  # False: settled by an import window, never published
    effective_on: date | None = None  # as published (clamped); None: ``transition.on``

    @property
    def published_on(self) -> date:
        return self.effective_on or self.transition.on


@dataclass(frozen=True)
class PlannedEvent:
    """One event to publish: a fold transition, or a correction of the announced status."""

    transition: Transition
    correction: bool = False
    corrects: tuple[str, ...] = ()
    effective_on: date | None = None  # set by ``clamp_dates``; None: ``transition.on``

    @property
    def published_on(self) -> date:
        return self.effective_on or self.transition.on


@dataclass(frozen=True)
class PublicationPlan:
    events: list[PlannedEvent] = field(default_factory=list)
    retracted_silently: list[str] = field(default_factory=list)
    # fold transitions accounted for without an event (an import window's close)
    settled: list[Transition] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.retracted_silently or self.settled)


def visible(status: Status | None) -> Status | None:
    """What a subscriber can know: not started and in progress are never announced."""
    return status if status in ANNOUNCED else None


def correction_kind(announced: Status | None, current: Status) -> TransitionKind:
    """The kind of event that leads a subscriber from ``announced`` to ``current``."""
    if announced is Status.REVOKED:
        return Kind.REINSTATED
    if current is Status.REVOKED:
        return Kind.REVOKED
    if current is Status.CERTIFIED:
        return Kind.RESTORED if announced is Status.AT_RISK else Kind.GRANTED
    if current is Status.AT_RISK:
        return Kind.AT_RISK if announced is Status.CERTIFIED else Kind.GRANTED
    return Kind.LAPSED


def plan_publication(announced: Sequence[Announced], state: CertificationState) -> PublicationPlan:
    """The events that bring subscribers from what was ``announced`` to ``state``."""
    if not announced and not state.transitions and not any(map(visible, _statuses(state))):
        return PublicationPlan()  # nothing known, nothing to make known: not yet certified
    standing = standing_transitions(announced)
    previous = [a.transition for a in standing]
    fresh = new_transitions(previous, state.transitions)
    gone = {t.key for t in retracted_transitions(previous, state.transitions)}
    plan = PublicationPlan()
    for level in state.levels:
        key = level.level_key
        lost = gone_ids(standing, gone, key, plan)
        level_fresh = [t for t in fresh if t.level_key == key]
        for index, transition in enumerate(level_fresh):
            plan.events.append(PlannedEvent(transition, corrects=lost if index == 0 else ()))
        last = [a for a in announced if _of(a, key) and a.published]
        status = (
            level_fresh[-1].to_status
            if level_fresh
            else (last[-1].transition.to_status if last else None)
        )
        if visible(status) != visible(level.status):
            correction = correction_event(level, status, state.as_of, lost, bool(level_fresh))
            plan.events.append(correction)
        elif lost and not level_fresh:
            plan.retracted_silently.extend(lost)
    return clamp_dates(announced, plan)


def _statuses(state: CertificationState) -> list[Status]:
    return [level.status for level in state.levels]


def standing_transitions(announced: Sequence[Announced]) -> list[Announced]:
    """Fold transitions already accounted for: published (or settled), not retracted."""
    return [a for a in announced if not a.correction and not a.retracted]


def gone_ids(
    standing: Sequence[Announced], gone: set[TransitionKey], level_key: str, plan: PublicationPlan
) -> tuple[str, ...]:
    """Published ids of ``level_key`` written out of history; settled ones retract silently."""
    lost = [a for a in standing if a.transition.key in gone and _of(a, level_key)]
    plan.retracted_silently.extend(a.event_id for a in lost if not a.published)
    return tuple(a.event_id for a in lost if a.published)


def last_published_on(announced: Sequence[Announced], level_key: str) -> date | None:
    """The latest ``effective_on`` subscribers saw for ``level_key`` (any event)."""
    dates = [a.published_on for a in announced if a.published and _of(a, level_key)]
    return max(dates) if dates else None


def clamp_dates(announced: Sequence[Announced], plan: PublicationPlan) -> PublicationPlan:
    """Give each planned event an ``effective_on`` no earlier than the level's last one."""
    floors: dict[str, date | None] = {}
    events: list[PlannedEvent] = []
    for planned in plan.events:
        key = planned.transition.level_key
        floor = floors[key] if key in floors else last_published_on(announced, key)
        on = planned.transition.on if floor is None else max(floor, planned.transition.on)
        events.append(replace(planned, effective_on=on))
        floors[key] = on
    return replace(plan, events=events)


def _of(announced: Announced, level_key: str) -> bool:
    return announced.transition.level_key == level_key


def correction_event(
    level: LevelState,
    announced: Status | None,
    as_of: date,
    lost: tuple[str, ...],
    corrects_attached: bool,
) -> PlannedEvent:
    """An event leading subscribers from ``announced`` to the level's current status;
    it lists ``lost`` in ``corrects`` unless a fresh event of the level already does."""
    current = level.status
    shown = announced.value.replace("_", " ") if announced else "not certified"
    transition = Transition(
        level_key=level.level_key,
        kind=correction_kind(visible(announced), current),
        on=level.since or as_of,
        from_status=announced or Status.NOT_STARTED,
        to_status=current,
        reasons=(
            f"correction: evidence recorded late changed the history; {level.title} was "
            f"announced {shown} and is {current.value.replace('_', ' ')}",
            *(level.transitions[-1].reasons if level.transitions else ()),
        ),
        evidence_ids=level.transitions[-1].evidence_ids if level.transitions else (),
    )
    return PlannedEvent(transition, correction=True, corrects=() if corrects_attached else lost)
