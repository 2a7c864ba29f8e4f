"""Coach assignments: who coaches whom, over which dates, with the history kept.

An assignment links one coach to one practitioner from ``valid_from`` to ``valid_to``
(both days included; ``None`` = still running). Assignments are never deleted: ending
one sets its ``valid_to``, so "was C the coach of P on that date?" can be answered for
any past practice date — sessions and ratings are checked against that date, not today.

One coach at a time. A new assignment whose dates overlap any existing assignment of
the same practitioner is **refused**, whether it names the same coach (a duplicate) or
another one. We chose refusal over silently ending the previous assignment because a
write that changes a record the caller did not name is the more surprising behaviour
— and it goes wrong with backdated imports (auto-ending could cut a history the agency
recorded on purpose). The error says which assignment to end and by when. For the
common case "coach B takes over from the 1st" there is an explicit command,
``hand_over``, which ends the current assignment the day before and starts the new
one: the caller asks for both changes, so nothing happens behind their back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from services.coaching.domain.errors import CoachingError, InvalidFieldError, StateConflictError
from services.coaching.domain.field_rules import ensure_present


@dataclass(frozen=True, slots=True, kw_only=True)
class CoachAssignment:
    """Coach ``coach_id`` coaches ``practitioner_id`` from ``valid_from`` to ``valid_to``."""

    assignment_id: str
    coach_id: str
    practitioner_id: str
    valid_from: date
    valid_to: date | None = None  # last day included; None while the assignment runs

    def covers(self, on_date: date) -> bool:
        return self.valid_from <= on_date and (self.valid_to is None or on_date <= self.valid_to)

    def overlaps(self, start: date, end: date | None) -> bool:
        """True when the period ``start``..``end`` (None = open) shares a day with this one."""
        starts_before_other_ends = end is None or self.valid_from <= end
        ends_after_other_starts = self.valid_to is None or start <= self.valid_to
        return starts_before_other_ends and ends_after_other_starts

    def describe_period(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "open-ended"
        return f"{self.valid_from.isoformat()} to {end}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignCoach:
    assignment_id: str
    coach_id: str
    practitioner_id: str
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HandOver:
    """Move a practitioner to ``new_coach_id`` from ``starts_on``, ending the current coach."""

    assignment_id: str
    practitioner_id: str
    new_coach_id: str
    starts_on: date


def assign_coach(history: Iterable[CoachAssignment], command: AssignCoach) -> CoachAssignment:
    """Validate ``command`` against the recorded ``history`` and return the new assignment.

    Any past or future ``valid_from`` is accepted: an assignment is a period of
    responsibility, and agencies both import past ones and plan the next one.
    """
    history = tuple(history)
    assignment = CoachAssignment(
        assignment_id=ensure_present(command.assignment_id, field="assignment_id"),
        coach_id=ensure_present(command.coach_id, field="coach_id"),
        practitioner_id=ensure_present(command.practitioner_id, field="practitioner_id"),
        valid_from=command.valid_from,
        valid_to=command.valid_to,
    )
    if assignment.coach_id == assignment.practitioner_id:
        raise InvalidFieldError(
            "coach_id",
            f"{assignment.coach_id} cannot be assigned as their own coach; "
            "choose a different coach",
        )
    if assignment.valid_to is not None and assignment.valid_to < assignment.valid_from:
        raise InvalidFieldError(
            "valid_to",
            f"valid_to {assignment.valid_to.isoformat()} is before valid_from "
            f"{assignment.valid_from.isoformat()}; it must be on or after it",
        )
    _ensure_new_id(history, assignment.assignment_id)
    _ensure_no_overlap(history, assignment)
    return assignment


def end_assignment(assignment: CoachAssignment, *, valid_to: date) -> CoachAssignment:
    """Return ``assignment`` ended on ``valid_to`` (its last day as coach)."""
    if assignment.valid_to is not None:
        raise StateConflictError(
            "valid_to",
            f"assignment {assignment.assignment_id} already ended on "
            f"{assignment.valid_to.isoformat()}; an ended assignment cannot be ended again",
        )
    if valid_to < assignment.valid_from:
        raise InvalidFieldError(
            "valid_to",
            f"valid_to {valid_to.isoformat()} is before the assignment started "
            f"({assignment.valid_from.isoformat()}); it must be on or after it",
        )
    return replace(assignment, valid_to=valid_to)


def hand_over(
    history: Iterable[CoachAssignment], command: HandOver
) -> tuple[CoachAssignment, CoachAssignment]:
    """End the coach current on ``starts_on`` the day before, and assign the new coach.

    Returns ``(ended_previous, new_assignment)``; both must be stored together.
    """
    history = tuple(history)
    current = next(
        (
            a
            for a in history
            if a.practitioner_id == command.practitioner_id and a.covers(command.starts_on)
        ),
        None,
    )
    if current is None:
        raise StateConflictError(
            "starts_on",
            f"{command.practitioner_id} has no coach on {command.starts_on.isoformat()}, "
            "so there is nothing to hand over; assign a coach instead",
        )
    if current.coach_id == command.new_coach_id:
        raise StateConflictError(
            "new_coach_id",
            f"{command.new_coach_id} is already the coach of {command.practitioner_id} "
            f"on {command.starts_on.isoformat()}; choose a different coach",
        )
    if current.valid_from == command.starts_on:
        raise StateConflictError(
            "starts_on",
            f"assignment {current.assignment_id} starts on {command.starts_on.isoformat()} "
            "itself, so it cannot end the day before; pick a later starts_on",
        )
    # A current assignment with a planned end after starts_on is shortened too.
    ended = replace(current, valid_to=command.starts_on - timedelta(days=1))
    try:
        new = assign_coach(
            [ended if a is current else a for a in history],
            AssignCoach(
                assignment_id=command.assignment_id,
                coach_id=command.new_coach_id,
                practitioner_id=command.practitioner_id,
                valid_from=command.starts_on,
            ),
        )
    except CoachingError as error:
        # Name the field as the caller sent it: HandOver has no valid_from/valid_to.
        field = _HAND_OVER_FIELDS.get(error.field, error.field)
        raise type(error)(field, error.message) from None
    return ended, new


_HAND_OVER_FIELDS = {"coach_id": "new_coach_id", "valid_from": "starts_on", "valid_to": "starts_on"}


def is_assigned(
    assignments: Iterable[CoachAssignment], coach_id: str, practitioner_id: str, on_date: date
) -> bool:
    """Was ``coach_id`` the assigned coach of ``practitioner_id`` on ``on_date``?"""
    return any(
        a.coach_id == coach_id and a.practitioner_id == practitioner_id and a.covers(on_date)
        for a in assignments
    )


def coach_on(
    assignments: Iterable[CoachAssignment], practitioner_id: str, on_date: date
) -> str | None:
    """The coach of ``practitioner_id`` on ``on_date``, or None when nobody was assigned."""
    return next(
        (
            a.coach_id
            for a in assignments
            if a.practitioner_id == practitioner_id and a.covers(on_date)
        ),
        None,
    )


def caseload(
    assignments: Iterable[CoachAssignment], coach_id: str, on_date: date
) -> frozenset[str]:
    """The practitioners ``coach_id`` was assigned to on ``on_date``."""
    return frozenset(
        a.practitioner_id for a in assignments if a.coach_id == coach_id and a.covers(on_date)
    )


def _ensure_new_id(history: tuple[CoachAssignment, ...], assignment_id: str) -> None:
    if any(a.assignment_id == assignment_id for a in history):
        raise StateConflictError(
            "assignment_id",
            f"assignment {assignment_id} already exists; use a new assignment_id",
        )


def _ensure_no_overlap(history: tuple[CoachAssignment, ...], new: CoachAssignment) -> None:
    for existing in history:
        if existing.practitioner_id != new.practitioner_id:
            continue
        if not existing.overlaps(new.valid_from, new.valid_to):
            continue
        # Blame the end of the new period that reaches into the existing one.
        field = "valid_from" if existing.covers(new.valid_from) else "valid_to"
        if existing.coach_id == new.coach_id:
            raise StateConflictError(
                field,
                f"{new.coach_id} is already assigned to {new.practitioner_id} "
                f"({existing.describe_period()}, assignment {existing.assignment_id}); "
                "periods of the same pair must not overlap",
            )
        fix = (
            f"end assignment {existing.assignment_id} on or before "
            f"{(new.valid_from - timedelta(days=1)).isoformat()} first, or hand the "
            "practitioner over"
            if existing.valid_from < new.valid_from
            else "choose dates that do not overlap it"
        )
        raise StateConflictError(
            field,
            f"{new.practitioner_id} already has coach {existing.coach_id} "
            f"({existing.describe_period()}, assignment {existing.assignment_id}); "
            f"a practitioner has one coach at a time — {fix}",
        )
