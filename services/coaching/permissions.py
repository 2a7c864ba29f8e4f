"""The role × action matrix of the coaching service: the only place access is decided.

Beyond the matrix, three record-level rules live here too, so no route invents its own:

- **own records only**: a caller holding none of the staff roles (a practitioner) reads
  only records about themself; naming someone else is 403, another's record by id 404.
- **acting as**: a write is done *as the caller* (coach of a session, rater of a
  rating, author of a reflection). The body may name someone else only for an admin
  recording on their behalf (typing up a paper log, importing history).
- **reflection text** is personal: only its author, their coach (assigned on the day
  it was written or today) and admins read it; everyone else sees that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.coaching.domain.assignments import CoachAssignment, is_assigned
from shared.auth import Principal, Role
from shared.operations import OPERATIONS_PERMISSIONS
from shared.problems import Forbidden

ADMIN, SUPERVISOR, COACH = Role.ADMIN, Role.SUPERVISOR, Role.COACH
AUDITOR, PRACTITIONER, SERVICE = Role.AUDITOR, Role.PRACTITIONER, Role.SERVICE

MANAGERS = frozenset({ADMIN, SUPERVISOR})
COACHING_STAFF = frozenset({ADMIN, SUPERVISOR, COACH})
STAFF_READERS = frozenset({ADMIN, SUPERVISOR, COACH, AUDITOR, SERVICE})
READERS = STAFF_READERS | {PRACTITIONER}

PERMISSIONS: dict[str, frozenset[Role]] = {
    "assignments.assign": MANAGERS,
    "assignments.end": MANAGERS,
    "assignments.hand_over": MANAGERS,
    "assignments.read": READERS,
    "plans.write": COACHING_STAFF,
    "plans.read": READERS,
    "sessions.log": COACHING_STAFF,
    "sessions.read": READERS,
    "ratings.record": COACHING_STAFF,
    "ratings.read": READERS,
    "peer_sessions.record": COACHING_STAFF | {PRACTITIONER},
    "peer_sessions.read": READERS,
    "reflections.write": COACHING_STAFF | {PRACTITIONER},
    "reflections.read": frozenset({ADMIN, SUPERVISOR, COACH, AUDITOR, PRACTITIONER}),
    "teams.read": frozenset({ADMIN, SUPERVISOR, AUDITOR}),
    "roster.read": frozenset({ADMIN, SUPERVISOR, COACH, AUDITOR}),
    "culture.read_agency": frozenset({ADMIN, SUPERVISOR, COACH, AUDITOR}),
    "culture.read_team": frozenset({ADMIN, SUPERVISOR, AUDITOR}),
    # bulk import (NDJSON) of records and its reports: agency administrators only
    "imports.run": frozenset({Role.ADMIN}),
    "imports.read": frozenset({Role.ADMIN}),
    # the kernel's operations API: dead letters, consumer and relay positions
    **OPERATIONS_PERMISSIONS,
}


def own_records_only(principal: Principal) -> str | None:
    """The only practitioner id this caller may read about, or None when not limited."""
    return None if principal.has_any(STAFF_READERS) else principal.subject


def practitioner_filter(principal: Principal, requested: str | None) -> str | None:
    """The practitioner a list is narrowed to: the one asked for, or the caller's own."""
    own = own_records_only(principal)
    if own is None:
        return requested
    if requested not in (None, own):
        raise Forbidden(
            f"a practitioner reads only their own records; ask for practitioner_id={own} "
            "or leave it out"
        )
    return own


def acting_as(principal: Principal, named: str | None, *, field: str) -> str:
    """Who a write is done as: the caller, or (for an admin) the person the body names."""
    if named is None or named == principal.subject:
        return principal.subject
    if ADMIN in principal.roles:
        return named
    raise Forbidden(
        f"{field} must be you ({principal.subject}) or left out; only an admin records "
        "on someone else's behalf"
    )


def ensure_may_coach(
    principal: Principal,
    assignments: Iterable[CoachAssignment],
    practitioner_id: str,
    today: date,
) -> None:
    """A coach (without a manager role) changes plans only of their current caseload."""
    if principal.has_any(MANAGERS):
        return
    if not is_assigned(assignments, principal.subject, practitioner_id, today):
        raise Forbidden(
            f"{principal.subject} is not the coach of {practitioner_id} today; only their "
            "assigned coach, a supervisor or an admin may change their coaching plan"
        )


def may_read_reflection_text(
    principal: Principal,
    *,
    author_id: str,
    written_on: date,
    coach_assignments: Iterable[CoachAssignment],
    today: date,
) -> bool:
    """Its author, their coach (on the day written or today) and admins read the text."""
    if ADMIN in principal.roles or principal.subject == author_id:
        return True
    assignments = tuple(coach_assignments)
    return any(
        is_assigned(assignments, principal.subject, author_id, day) for day in (written_on, today)
    )
