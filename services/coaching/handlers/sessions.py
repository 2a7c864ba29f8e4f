"""Use cases of coaching sessions: log one (checked against the assignment in force on
its practice date and the practitioner's plan), read them."""

from __future__ import annotations

import uuid
from datetime import date

from services.coaching.adapters.session_rows import (
    find_session,
    list_sessions,
    session_row,
    written_session,
)
from services.coaching.adapters.streams import (
    assignments_lock,
    load_assignments_and_plan,
    pending,
    record_stream,
)
from services.coaching.domain.events import CoachingSessionHeld
from services.coaching.domain.sessions import CoachingSession, LogSession, log_session
from services.coaching.handlers.recording import (
    ensure_same_repeat,
    practice_today,
    record_id,
    retried_after_a_race,
)
from services.coaching.models.sessions import SessionCreate, SessionPublic
from services.coaching.permissions import acting_as, own_records_only, practitioner_filter
from shared.auth import Principal
from shared.idempotency import Recorded, fingerprint
from shared.pagination import Page, PageRequest
from shared.problems import NotFound
from shared.service import Runtime


async def log(
    runtime: Runtime, principal: Principal, request: SessionCreate
) -> Recorded[SessionPublic]:
    """Log a session: a new one without looking for it first (the append with
    `expected_version=0` on its stream refuses a twin); after any failure, once more the
    careful way, which answers a repeat (or a refusal) exactly as looking first does."""
    session_id = record_id(request.id)
    try:
        return await _log(runtime, principal, request, session_id, look_first=False)
    except Exception:
        return await _log_carefully(runtime, principal, request, session_id, look_first=True)


async def _log(
    runtime: Runtime,
    principal: Principal,
    request: SessionCreate,
    session_id: uuid.UUID,
    *,
    look_first: bool,
) -> Recorded[SessionPublic]:
    agency = principal.agency_id
    command = LogSession(
        session_id=str(session_id),
        coach_id=acting_as(principal, request.coach_id, field="coach_id"),
        practitioner_id=request.practitioner_id,
        held_on=request.held_on,
        duration_minutes=request.duration_minutes,
        modality=request.modality.value,
        components=[c.value for c in request.components],
        competencies=[c.value for c in request.competencies],
        goal_ids=request.goal_ids,
        notes=request.notes,
    )
    content_hash = fingerprint(command)
    # the session is checked against the assignments: their shared lock from BEGIN on
    lock = assignments_lock(agency, command.practitioner_id, exclusive=False)
    async with runtime.store.transaction([lock]) as conn:
        stored = await find_session(conn, agency, session_id) if look_first else None
        if stored is not None:
            ensure_same_repeat("session", session_id, stored.fingerprint, content_hash)
            return Recorded(stored.public, created=False)
        assignments, plan = await load_assignments_and_plan(
            runtime.store, conn, agency, command.practitioner_id, on_roster=command.held_on
        )
        session = log_session(
            command, today=practice_today(), assignments=assignments.state, plan=plan.state
        )
        row = session_row(agency, session, content_hash)
        stored_events = await runtime.store.append(
            conn,
            record_stream("session", agency, session.session_id),
            [
                pending(
                    _held(session),
                    principal,
                    subject=session.practitioner_id,
                    on=session.held_on,
                    fingerprint=content_hash,
                    private={"notes": session.notes},
                )
            ],
            expected_version=0,
            projected=row,
        )
        created = written_session(row, stored_events[0].recorded_at)
        return Recorded(created.public, created=True)


_log_carefully = retried_after_a_race(_log)


async def read_one(runtime: Runtime, principal: Principal, session_id: uuid.UUID) -> SessionPublic:
    async with runtime.pool.acquire() as conn:
        stored = await find_session(conn, principal.agency_id, session_id)
    if stored is None or own_records_only(principal) not in (None, stored.public.practitioner_id):
        raise NotFound(f"no coaching session {session_id} in this agency; list them at /sessions")
    return stored.public


async def read_many(
    runtime: Runtime,
    principal: Principal,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    coach_id: str | None,
    held_from: date | None,
    held_to: date | None,
) -> Page[SessionPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_sessions(
            conn,
            principal.agency_id,
            page,
            practitioner_id=practitioner_filter(principal, practitioner_id),
            coach_id=coach_id,
            held_from=held_from,
            held_to=held_to,
        )


def _held(session: CoachingSession) -> CoachingSessionHeld:
    return CoachingSessionHeld(
        session_id=session.session_id,
        coach_id=session.coach_id,
        practitioner_id=session.practitioner_id,
        held_on=session.held_on,
        duration_minutes=session.duration_minutes,
        modality=session.modality.value,
        components=tuple(c.value for c in session.components),
        competencies=tuple(c.value for c in session.competencies),
        goal_ids=session.goal_ids,
    )
