"""Use cases of the learning culture records: peer-learning sessions and reflections."""

from __future__ import annotations

import uuid
from datetime import date

from services.coaching.adapters.assignment_rows import assignments_of_coach
from services.coaching.adapters.culture_rows import (
    StoredReflection,
    find_peer_session,
    find_reflection,
    insert_peer_session,
    insert_reflection,
    list_peer_sessions,
    list_reflections,
)
from services.coaching.adapters.streams import pending, record_stream
from services.coaching.domain.assignments import CoachAssignment
from services.coaching.domain.culture import (
    PeerLearningSession,
    RecordPeerSession,
    WriteReflection,
    record_peer_session,
    record_reflection,
)
from services.coaching.domain.events import PeerLearningSessionHeld, ReflectionRecorded
from services.coaching.handlers.recording import (
    ensure_same_repeat,
    practice_today,
    record_id,
    retried_after_a_race,
)
from services.coaching.models.culture import (
    PeerSessionCreate,
    PeerSessionPublic,
    ReflectionCreate,
    ReflectionPublic,
)
from services.coaching.permissions import (
    COACHING_STAFF,
    acting_as,
    may_read_reflection_text,
    own_records_only,
    practitioner_filter,
)
from shared.auth import Principal
from shared.idempotency import Recorded, fingerprint
from shared.pagination import Page, PageRequest
from shared.problems import Forbidden, NotFound
from shared.roster import require_on_roster
from shared.service import Runtime


@retried_after_a_race
async def record_peer_learning(
    runtime: Runtime, principal: Principal, request: PeerSessionCreate
) -> Recorded[PeerSessionPublic]:
    agency = principal.agency_id
    session_id = record_id(request.id)
    if not principal.has_any(COACHING_STAFF) and request.facilitator_id != principal.subject:
        raise Forbidden(
            f"facilitator_id must be you ({principal.subject}): a practitioner records the "
            "peer sessions they facilitated"
        )
    command = RecordPeerSession(
        session_id=str(session_id),
        facilitator_id=request.facilitator_id,
        participant_ids=request.participant_ids,
        held_on=request.held_on,
        shared=request.shared,
        competencies=[c.value for c in request.competencies],
    )
    content_hash = fingerprint(command)
    async with runtime.store.transaction() as conn:
        stored = await find_peer_session(conn, agency, session_id)
        if stored is not None:
            ensure_same_repeat("peer session", session_id, stored.fingerprint, content_hash)
            return Recorded(stored.public, created=False)
        await require_on_roster(
            conn, agency, [command.facilitator_id, *command.participant_ids], command.held_on
        )
        session = record_peer_session(command, today=practice_today())
        await runtime.store.append(
            conn,
            record_stream("peer-session", agency, session.session_id),
            [
                pending(
                    _peer_held(session),
                    principal,
                    subject=session.facilitator_id,
                    on=session.held_on,
                    fingerprint=content_hash,
                )
            ],
            expected_version=0,
        )
        await insert_peer_session(conn, agency, session, content_hash)
        created = await find_peer_session(conn, agency, session_id)
        assert created is not None
        return Recorded(created.public, created=True)


async def read_peer_session(
    runtime: Runtime, principal: Principal, session_id: uuid.UUID
) -> PeerSessionPublic:
    async with runtime.pool.acquire() as conn:
        stored = await find_peer_session(conn, principal.agency_id, session_id)
    own = own_records_only(principal)
    attended = stored is not None and own in (
        None,
        stored.public.facilitator_id,
        *stored.public.participant_ids,
    )
    if stored is None or not attended:
        raise NotFound(f"no peer session {session_id} in this agency; list them at /peer-sessions")
    return stored.public


async def read_peer_sessions(
    runtime: Runtime,
    principal: Principal,
    page: PageRequest,
    *,
    attended_by: str | None,
    held_from: date | None,
    held_to: date | None,
) -> Page[PeerSessionPublic]:
    async with runtime.pool.acquire() as conn:
        return await list_peer_sessions(
            conn,
            principal.agency_id,
            page,
            attended_by=practitioner_filter(principal, attended_by),
            held_from=held_from,
            held_to=held_to,
        )


@retried_after_a_race
async def write_reflection(
    runtime: Runtime, principal: Principal, request: ReflectionCreate
) -> Recorded[ReflectionPublic]:
    agency = principal.agency_id
    reflection_id = record_id(request.id)
    command = WriteReflection(
        reflection_id=str(reflection_id),
        practitioner_id=acting_as(principal, request.practitioner_id, field="practitioner_id"),
        written_on=request.written_on,
        text=request.text,
        competency=request.competency.value if request.competency else None,
    )
    content_hash = fingerprint(command)
    async with runtime.store.transaction() as conn:
        stored = await find_reflection(conn, agency, reflection_id)
        if stored is not None:
            ensure_same_repeat("reflection", reflection_id, stored.fingerprint, content_hash)
            return Recorded(_reflection_public(stored, text_visible=True), created=False)
        await require_on_roster(conn, agency, [command.practitioner_id], command.written_on)
        reflection = record_reflection(command, today=practice_today())
        event = ReflectionRecorded(
            reflection_id=reflection.reflection_id,
            practitioner_id=reflection.practitioner_id,
            written_on=reflection.written_on,
            competency=reflection.competency.value if reflection.competency else None,
        )
        await runtime.store.append(
            conn,
            record_stream("reflection", agency, reflection.reflection_id),
            [
                pending(
                    event,
                    principal,
                    subject=reflection.practitioner_id,
                    on=reflection.written_on,
                    fingerprint=content_hash,
                    private={"text": reflection.text},
                )
            ],
            expected_version=0,
        )
        await insert_reflection(conn, agency, reflection, content_hash)
        created = await find_reflection(conn, agency, reflection_id)
        assert created is not None
        return Recorded(_reflection_public(created, text_visible=True), created=True)


async def read_reflection(
    runtime: Runtime, principal: Principal, reflection_id: uuid.UUID
) -> ReflectionPublic:
    async with runtime.pool.acquire() as conn:
        stored = await find_reflection(conn, principal.agency_id, reflection_id)
        coaching = await assignments_of_coach(conn, principal.agency_id, principal.subject)
    if stored is None or own_records_only(principal) not in (
        None,
        stored.reflection.practitioner_id,
    ):
        raise NotFound(f"no reflection {reflection_id} in this agency; list them at /reflections")
    return _shown_to(principal, stored, coaching)


async def read_reflections(
    runtime: Runtime,
    principal: Principal,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    written_from: date | None,
    written_to: date | None,
) -> Page[ReflectionPublic]:
    """Every reflection the caller may list; the text only where they may read it."""
    async with runtime.pool.acquire() as conn:
        rows, next_cursor = await list_reflections(
            conn,
            principal.agency_id,
            page,
            practitioner_id=practitioner_filter(principal, practitioner_id),
            written_from=written_from,
            written_to=written_to,
        )
        coaching = await assignments_of_coach(conn, principal.agency_id, principal.subject)
    return Page[ReflectionPublic](
        items=[_shown_to(principal, row, coaching) for row in rows], next_cursor=next_cursor
    )


def _shown_to(
    principal: Principal, stored: StoredReflection, coaching: list[CoachAssignment]
) -> ReflectionPublic:
    visible = may_read_reflection_text(
        principal,
        author_id=stored.reflection.practitioner_id,
        written_on=stored.reflection.written_on,
        coach_assignments=coaching,
        today=practice_today(),
    )
    return _reflection_public(stored, text_visible=visible)


def _reflection_public(stored: StoredReflection, *, text_visible: bool) -> ReflectionPublic:
    reflection = stored.reflection
    return ReflectionPublic(
        id=uuid.UUID(reflection.reflection_id),
        practitioner_id=reflection.practitioner_id,
        written_on=reflection.written_on,
        competency=reflection.competency,
        text=reflection.text if text_visible else None,
        text_visible=text_visible,
        recorded_at=stored.recorded_at,
    )


def _peer_held(session: PeerLearningSession) -> PeerLearningSessionHeld:
    return PeerLearningSessionHeld(
        session_id=session.session_id,
        facilitator_id=session.facilitator_id,
        participant_ids=session.participant_ids,
        held_on=session.held_on,
        competencies=tuple(c.value for c in session.competencies),
        shared=session.shared,
    )
