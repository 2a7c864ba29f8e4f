"""The `sessions` projection: coaching sessions as logged, and reads of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from services.coaching.domain.sessions import CoachingSession
from services.coaching.domain.vocabulary import Competency, Modality, SessionComponent
from services.coaching.models.sessions import SessionPublic
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page
from shared.projected import Projected

_WRITTEN = (
    "session_id, coach_id, practitioner_id, held_on, duration_minutes, modality, components,"
    " competencies, goal_ids, notes"
)
_COLUMNS = f"{_WRITTEN}, recorded_at"


@dataclass(frozen=True)
class StoredSession:
    public: SessionPublic
    fingerprint: str


def session_row(agency_id: str, session: CoachingSession, fingerprint: str) -> Projected:
    """The session's row, written by the statement that appends its event (its
    `recorded_at` is the column's default, `now()`: the event's too)."""
    return Projected(
        f"INSERT INTO sessions (agency_id, {_WRITTEN}, fingerprint)"
        " SELECT $1::text, $2::uuid, $3::text, $4::text, $5::date, $6::int, $7::text,"
        " $8::text[], $9::text[], $10::text[], $11::text, $12::text FROM appended",
        (
            agency_id,
            uuid.UUID(session.session_id),
            session.coach_id,
            session.practitioner_id,
            session.held_on,
            session.duration_minutes,
            session.modality.value,
            [c.value for c in session.components],
            [c.value for c in session.competencies],
            list(session.goal_ids),
            session.notes,
            fingerprint,
        ),
    )


def written_session(row: Projected, recorded_at: datetime) -> StoredSession:
    """The stored session as `find_session` reads it, from the row `session_row` wrote."""
    (_, session_id, coach_id, practitioner_id, held_on, duration_minutes, modality,
     components, competencies, goal_ids, notes, fingerprint) = row.args  # fmt: skip
    public = SessionPublic(
        id=session_id,
        coach_id=coach_id,
        practitioner_id=practitioner_id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        modality=modality,
        components=components,
        competencies=competencies,
        goal_ids=goal_ids,
        notes=notes,
        recorded_at=recorded_at,
    )
    return StoredSession(public, fingerprint)


async def find_session(
    conn: Connection, agency_id: str, session_id: uuid.UUID
) -> StoredSession | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, fingerprint FROM sessions WHERE agency_id = $1 AND session_id = $2",
        agency_id,
        session_id,
    )
    return StoredSession(_public(row), row["fingerprint"]) if row else None


async def session_record(
    conn: Connection, agency_id: str, session_id: str
) -> CoachingSession | None:
    """The domain record of a session named by a caller (None when there is none)."""
    try:
        key = uuid.UUID(session_id)
    except ValueError:
        return None  # not an id this service issues, so no such session
    stored = await find_session(conn, agency_id, key)
    return as_record(stored.public) if stored else None


async def list_sessions(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    coach_id: str | None,
    held_from: date | None,
    held_to: date | None,
) -> Page[SessionPublic]:
    """Latest first: by `held_on` descending, then id."""
    query = (
        ListQuery(agency_id)
        .when(practitioner_id, "practitioner_id = {}")
        .when(coach_id, "coach_id = {}")
        .when(held_from, "held_on >= {}")
        .when(held_to, "held_on <= {}")
        .after(page, "(held_on, session_id) <", ("date", "uuid"))
    )
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM sessions WHERE {query.where()}"
        f" ORDER BY held_on DESC, session_id DESC {query.limit(page)}",
        *query.params,
    )
    return build_page(
        [_public(r) for r in rows], page.limit, lambda s: [s.held_on.isoformat(), str(s.id)]
    )


async def sessions_held_between(
    conn: Connection, agency_id: str, start: date, end: date
) -> list[CoachingSession]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM sessions WHERE agency_id = $1 AND held_on BETWEEN $2 AND $3",
        agency_id,
        start,
        end,
    )
    return [as_record(_public(r)) for r in rows]


def as_record(session: SessionPublic) -> CoachingSession:
    return CoachingSession(
        session_id=str(session.id),
        coach_id=session.coach_id,
        practitioner_id=session.practitioner_id,
        held_on=session.held_on,
        duration_minutes=session.duration_minutes,
        modality=Modality(session.modality),
        components=tuple(SessionComponent(c) for c in session.components),
        competencies=tuple(Competency(c) for c in session.competencies),
        goal_ids=tuple(session.goal_ids),
        notes=session.notes,
    )


def _public(row: asyncpg.Record) -> SessionPublic:
    return SessionPublic(
        id=row["session_id"],
        coach_id=row["coach_id"],
        practitioner_id=row["practitioner_id"],
        held_on=row["held_on"],
        duration_minutes=row["duration_minutes"],
        modality=row["modality"],
        components=row["components"],
        competencies=row["competencies"],
        goal_ids=row["goal_ids"],
        notes=row["notes"],
        recorded_at=row["recorded_at"],
    )
