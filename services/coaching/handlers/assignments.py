"""Use cases of coach assignments: assign, end, hand over, read.

Every write folds the practitioner's assignment stream, lets the domain rule on it and
appends against the version it read, so two concurrent writes for one practitioner
cannot both pass the overlap check.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from services.coaching.adapters.assignment_rows import (
    end_assignment_row,
    find_assignment,
    insert_assignment,
    list_assignments,
)
from services.coaching.adapters.streams import assignment_stream, load_assignments, pending
from services.coaching.domain.assignments import (
    AssignCoach,
    CoachAssignment,
    HandOver,
    assign_coach,
    end_assignment,
    hand_over,
)
from services.coaching.domain.events import CoachAssigned, CoachAssignmentEnded
from services.coaching.handlers.recording import ensure_same_repeat, record_id, retried_after_a_race
from services.coaching.models.assignments import (
    AssignmentCreate,
    AssignmentEnd,
    AssignmentPublic,
    HandOverCreate,
    HandOverPublic,
)
from services.coaching.permissions import own_records_only, practitioner_filter
from shared.auth import Principal
from shared.database import Connection
from shared.idempotency import Recorded, fingerprint
from shared.pagination import Page, PageRequest
from shared.problems import NotFound
from shared.roster import require_on_roster
from shared.service import Runtime

ONE_DAY = timedelta(days=1)


@retried_after_a_race
async def assign(
    runtime: Runtime, principal: Principal, request: AssignmentCreate
) -> Recorded[AssignmentPublic]:
    agency = principal.agency_id
    new_id = record_id(request.id)
    command = AssignCoach(
        assignment_id=str(new_id),
        coach_id=request.coach_id,
        practitioner_id=request.practitioner_id,
        valid_from=request.valid_from,
        valid_to=request.valid_to,
    )
    content_hash = fingerprint(command)
    async with runtime.store.transaction() as conn:
        stored = await find_assignment(conn, agency, new_id)
        if stored is not None:
            ensure_same_repeat("assignment", new_id, stored.fingerprint, content_hash)
            return Recorded(stored.public, created=False)
        await require_on_roster(conn, agency, [command.practitioner_id], command.valid_from)
        history = await load_assignments(
            runtime.store, conn, agency, command.practitioner_id, for_change=True
        )
        assignment = assign_coach(history.state, command)
        await runtime.store.append(
            conn,
            assignment_stream(agency, assignment.practitioner_id),
            [
                pending(
                    _assigned(assignment),
                    principal,
                    subject=assignment.practitioner_id,
                    on=assignment.valid_from,
                    fingerprint=content_hash,
                )
            ],
            expected_version=history.version,
        )
        await insert_assignment(conn, agency, assignment, content_hash)
        return Recorded(await _stored(conn, agency, new_id), created=True)


@retried_after_a_race
async def end(
    runtime: Runtime, principal: Principal, assignment_id: uuid.UUID, request: AssignmentEnd
) -> AssignmentPublic:
    """End a running assignment; repeating the same end date changes nothing."""
    agency = principal.agency_id
    async with runtime.store.transaction() as conn:
        stored = await _stored(conn, agency, assignment_id)
        history = await load_assignments(
            runtime.store, conn, agency, stored.practitioner_id, for_change=True
        )
        current = next(a for a in history.state if a.assignment_id == str(assignment_id))
        if current.valid_to == request.valid_to:
            return stored
        ended = end_assignment(current, valid_to=request.valid_to)
        await runtime.store.append(
            conn,
            assignment_stream(agency, ended.practitioner_id),
            [pending(_ended(ended), principal, subject=ended.practitioner_id, on=request.valid_to)],
            expected_version=history.version,
        )
        await end_assignment_row(conn, agency, ended.assignment_id, request.valid_to)
        return await _stored(conn, agency, assignment_id)


@retried_after_a_race
async def hand_over_practitioner(
    runtime: Runtime, principal: Principal, request: HandOverCreate
) -> Recorded[HandOverPublic]:
    """End the coach current on `starts_on` the day before and assign the new one."""
    agency = principal.agency_id
    new_id = record_id(request.id)
    command = HandOver(
        assignment_id=str(new_id),
        practitioner_id=request.practitioner_id,
        new_coach_id=request.new_coach_id,
        starts_on=request.starts_on,
    )
    content_hash = fingerprint(command)
    async with runtime.store.transaction() as conn:
        stored = await find_assignment(conn, agency, new_id)
        if stored is not None:
            ensure_same_repeat("hand-over", new_id, stored.fingerprint, content_hash)
            previous = await _ended_the_day_before(runtime, conn, agency, command)
            return Recorded(HandOverPublic(ended=previous, assigned=stored.public), created=False)
        await require_on_roster(conn, agency, [command.practitioner_id], command.starts_on)
        history = await load_assignments(
            runtime.store, conn, agency, command.practitioner_id, for_change=True
        )
        ended, assigned = hand_over(history.state, command)
        subject = command.practitioner_id
        await runtime.store.append(
            conn,
            assignment_stream(agency, subject),
            [
                pending(_ended(ended), principal, subject=subject, on=command.starts_on - ONE_DAY),
                pending(
                    _assigned(assigned),
                    principal,
                    subject=subject,
                    on=command.starts_on,
                    fingerprint=content_hash,
                ),
            ],
            expected_version=history.version,
        )
        assert ended.valid_to is not None
        await end_assignment_row(conn, agency, ended.assignment_id, ended.valid_to)
        await insert_assignment(conn, agency, assigned, content_hash)
        return Recorded(
            HandOverPublic(
                ended=await _stored(conn, agency, uuid.UUID(ended.assignment_id)),
                assigned=await _stored(conn, agency, new_id),
            ),
            created=True,
        )


async def read_one(
    runtime: Runtime, principal: Principal, assignment_id: uuid.UUID
) -> AssignmentPublic:
    async with runtime.pool.acquire() as conn:
        stored = await _stored(conn, principal.agency_id, assignment_id)
    if own_records_only(principal) not in (None, stored.practitioner_id):
        raise _not_found(assignment_id)
    return stored


async def read_many(
    runtime: Runtime,
    principal: Principal,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    coach_id: str | None,
    active_on: date | None,
) -> Page[AssignmentPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_assignments(
            conn,
            principal.agency_id,
            page,
            practitioner_id=practitioner_filter(principal, practitioner_id),
            coach_id=coach_id,
            active_on=active_on,
        )


async def _stored(conn: Connection, agency_id: str, assignment_id: uuid.UUID) -> AssignmentPublic:
    stored = await find_assignment(conn, agency_id, assignment_id)
    if stored is None:
        raise _not_found(assignment_id)
    return stored.public


async def _ended_the_day_before(
    runtime: Runtime, conn: Connection, agency_id: str, command: HandOver
) -> AssignmentPublic:
    history = await load_assignments(runtime.store, conn, agency_id, command.practitioner_id)
    day_before = command.starts_on - ONE_DAY
    previous = next(a for a in history.state if a.valid_to == day_before)
    return await _stored(conn, agency_id, uuid.UUID(previous.assignment_id))


def _not_found(assignment_id: uuid.UUID) -> NotFound:
    return NotFound(f"no assignment {assignment_id} in this agency; list them at /assignments")


def _assigned(assignment: CoachAssignment) -> CoachAssigned:
    return CoachAssigned(
        assignment_id=assignment.assignment_id,
        coach_id=assignment.coach_id,
        practitioner_id=assignment.practitioner_id,
        valid_from=assignment.valid_from,
        valid_to=assignment.valid_to,
    )


def _ended(assignment: CoachAssignment) -> CoachAssignmentEnded:
    assert assignment.valid_to is not None, "an ended assignment has its last day"
    return CoachAssignmentEnded(
        assignment_id=assignment.assignment_id,
        coach_id=assignment.coach_id,
        practitioner_id=assignment.practitioner_id,
        valid_to=assignment.valid_to,
    )
