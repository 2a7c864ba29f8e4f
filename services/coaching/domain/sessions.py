"""Coaching sessions: validating a logged session into a typed record.

``log_session`` takes the command as it arrived (strings for the vocabularies) plus
the context the rules need — today's date, the assignment history, the practitioner's
plan — and returns a ``CoachingSession`` or raises the first rule broken, naming the
field. Rules are checked in a fixed order: the fields on their own first, then the
relations (goals in the plan, coach assigned on the session date).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from services.coaching.domain.assignments import CoachAssignment, is_assigned
from services.coaching.domain.errors import InvalidFieldError, PermissionRefusedError
from services.coaching.domain.field_rules import (
    ensure_list,
    ensure_not_in_future,
    ensure_present,
)
from services.coaching.domain.plans import CoachingPlan
from services.coaching.domain.vocabulary import (
    Competency,
    Modality,
    SessionComponent,
    parse_members,
    parse_modality,
)

MIN_DURATION_MINUTES = 1
MAX_DURATION_MINUTES = 480  # a full working day; longer is a typo or several sessions


@dataclass(frozen=True, slots=True, kw_only=True)
class LogSession:
    session_id: str
    coach_id: str
    practitioner_id: str
    held_on: date
    duration_minutes: int
    modality: str
    components: Sequence[str]
    competencies: Sequence[str]
    goal_ids: Sequence[str] = ()
    notes: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CoachingSession:
    """A validated session; vocabularies de-duplicated and in their canonical order."""

    session_id: str
    coach_id: str
    practitioner_id: str
    held_on: date
    duration_minutes: int
    modality: Modality
    components: tuple[SessionComponent, ...]
    competencies: tuple[Competency, ...]
    goal_ids: tuple[str, ...] = ()
    notes: str = ""

    def includes(self, *components: SessionComponent) -> bool:
        """True when every one of ``components`` took place (e.g. practice and feedback)."""
        return set(components) <= set(self.components)


def log_session(
    command: LogSession,
    *,
    today: date,
    assignments: Iterable[CoachAssignment],
    plan: CoachingPlan | None,
) -> CoachingSession:
    """Validate ``command`` and return the session it records.

    ``plan`` is the practitioner's coaching plan, or None when they have none (then
    the session may touch no goals). ``assignments`` is the assignment history; the
    coach must have been assigned on ``held_on``, which may be long past.
    """
    session_id = ensure_present(command.session_id, field="session_id")
    coach_id = ensure_present(command.coach_id, field="coach_id")
    practitioner_id = ensure_present(command.practitioner_id, field="practitioner_id")
    ensure_not_in_future(command.held_on, today=today, field="held_on")
    _ensure_duration(command.duration_minutes)
    modality = parse_modality(command.modality)
    components = parse_members(
        command.components,
        SessionComponent,
        field="components",
        what="session component",
        required=True,
    )
    competencies = parse_members(
        command.competencies, Competency, field="competencies", what="competency", required=True
    )
    goal_ids = _goals_in_plan(command.goal_ids, practitioner_id, plan)
    if coach_id == practitioner_id:
        raise PermissionRefusedError(
            "coach_id", f"{coach_id} cannot log a coaching session with themself as coach"
        )
    if not is_assigned(assignments, coach_id, practitioner_id, command.held_on):
        raise PermissionRefusedError(
            "coach_id",
            f"{coach_id} was not the assigned coach of {practitioner_id} on "
            f"{command.held_on.isoformat()}; log the session under the coach assigned on "
            "that date, or correct the assignment history first",
        )
    return CoachingSession(
        session_id=session_id,
        coach_id=coach_id,
        practitioner_id=practitioner_id,
        held_on=command.held_on,
        duration_minutes=command.duration_minutes,
        modality=modality,
        components=components,
        competencies=competencies,
        goal_ids=goal_ids,
        notes=command.notes.strip(),
    )


def _ensure_duration(minutes: int) -> None:
    # bool is an int in Python; True minutes is a wiring bug, not a one-minute session.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidFieldError("duration_minutes", f"{minutes!r} is not a whole number of minutes")
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidFieldError(
            "duration_minutes",
            f"{minutes} minutes is out of range; give a duration from "
            f"{MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes",
        )


def _goals_in_plan(
    raw: Sequence[str], practitioner_id: str, plan: CoachingPlan | None
) -> tuple[str, ...]:
    goal_ids = tuple(dict.fromkeys(ensure_list(raw, field="goal_ids")))  # keep order, drop repeats
    if not goal_ids:
        return ()
    if plan is None or plan.practitioner_id != practitioner_id:
        raise InvalidFieldError(
            "goal_ids",
            f"{practitioner_id} has no coaching plan, so the session cannot touch goals "
            f"{', '.join(goal_ids)}; start a plan first or leave goal_ids empty",
        )
    unknown = [g for g in goal_ids if g not in plan.goal_ids]
    if unknown:
        raise InvalidFieldError(
            "goal_ids",
            f"goals {', '.join(unknown)} are not in {practitioner_id}'s plan {plan.plan_id}; "
            "use goals of that plan",
        )
    return goal_ids
