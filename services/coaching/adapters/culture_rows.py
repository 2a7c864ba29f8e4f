"""The `peer_sessions` and `reflections` projections, and reads of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from services.coaching.domain.culture import PeerLearningSession, Reflection
from services.coaching.domain.vocabulary import Competency
from services.coaching.models.culture import PeerSessionPublic
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page

_PEER_COLUMNS = (
    "session_id, facilitator_id, participant_ids, held_on, competencies, shared, recorded_at"
)
_REFLECTION_COLUMNS = "reflection_id, practitioner_id, written_on, competency, text, recorded_at"


@dataclass(frozen=True)
class StoredPeerSession:
    public: PeerSessionPublic
    fingerprint: str


@dataclass(frozen=True)
class StoredReflection:
    """A reflection row; the API decides per caller whether its text is shown."""

    reflection: Reflection
    recorded_at: datetime
    fingerprint: str


async def insert_peer_session(
    conn: Connection, agency_id: str, session: PeerLearningSession, fingerprint: str
) -> None:
    await conn.execute(
        "INSERT INTO peer_sessions (agency_id, session_id, facilitator_id, participant_ids,"
        " held_on, competencies, shared, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        agency_id,
        uuid.UUID(session.session_id),
        session.facilitator_id,
        list(session.participant_ids),
        session.held_on,
        [c.value for c in session.competencies],
        session.shared,
        fingerprint,
    )


async def find_peer_session(
    conn: Connection, agency_id: str, session_id: uuid.UUID
) -> StoredPeerSession | None:
    row = await conn.fetchrow(
        f"SELECT {_PEER_COLUMNS}, fingerprint FROM peer_sessions"
        " WHERE agency_id = $1 AND session_id = $2",
        agency_id,
        session_id,
    )
    return StoredPeerSession(_peer_public(row), row["fingerprint"]) if row else None


async def list_peer_sessions(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    attended_by: str | None,
    held_from: date | None,
    held_to: date | None,
) -> Page[PeerSessionPublic]:
    """Latest first; `attended_by` matches the facilitator or a participant."""
    query = (
        ListQuery(agency_id)
        .when(attended_by, "(facilitator_id = {0} OR {0} = ANY(participant_ids))")
        .when(held_from, "held_on >= {}")
        .when(held_to, "held_on <= {}")
        .after(page, "(held_on, session_id) <", ("date", "uuid"))
    )
    rows = await conn.fetch(
        f"SELECT {_PEER_COLUMNS} FROM peer_sessions WHERE {query.where()}"
        f" ORDER BY held_on DESC, session_id DESC {query.limit(page)}",
        *query.params,
    )
    return build_page(
        [_peer_public(r) for r in rows],
        page.limit,
        lambda s: [s.held_on.isoformat(), str(s.id)],
    )


async def peer_sessions_held_between(
    conn: Connection, agency_id: str, start: date, end: date
) -> list[PeerLearningSession]:
    rows = await conn.fetch(
        f"SELECT {_PEER_COLUMNS} FROM peer_sessions"
        " WHERE agency_id = $1 AND held_on BETWEEN $2 AND $3",
        agency_id,
        start,
        end,
    )
    return [
        PeerLearningSession(
            session_id=str(r["session_id"]),
            facilitator_id=r["facilitator_id"],
            participant_ids=tuple(r["participant_ids"]),
            held_on=r["held_on"],
            shared=r["shared"],
            competencies=tuple(Competency(c) for c in r["competencies"]),
        )
        for r in rows
    ]


async def insert_reflection(
    conn: Connection, agency_id: str, reflection: Reflection, fingerprint: str
) -> None:
    await conn.execute(
        "INSERT INTO reflections (agency_id, reflection_id, practitioner_id, written_on,"
        " competency, text, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        agency_id,
        uuid.UUID(reflection.reflection_id),
        reflection.practitioner_id,
        reflection.written_on,
        reflection.competency.value if reflection.competency else None,
        reflection.text,
        fingerprint,
    )


async def find_reflection(
    conn: Connection, agency_id: str, reflection_id: uuid.UUID
) -> StoredReflection | None:
    row = await conn.fetchrow(
        f"SELECT {_REFLECTION_COLUMNS}, fingerprint FROM reflections"
        " WHERE agency_id = $1 AND reflection_id = $2",
        agency_id,
        reflection_id,
    )
    return _stored_reflection(row) if row else None


async def list_reflections(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    written_from: date | None,
    written_to: date | None,
) -> tuple[list[StoredReflection], str | None]:
    """Latest first; the rows and the next cursor (the caller shapes each row)."""
    query = (
        ListQuery(agency_id)
        .when(practitioner_id, "practitioner_id = {}")
        .when(written_from, "written_on >= {}")
        .when(written_to, "written_on <= {}")
        .after(page, "(written_on, reflection_id) <", ("date", "uuid"))
    )
    rows = await conn.fetch(
        f"SELECT {_REFLECTION_COLUMNS}, fingerprint FROM reflections WHERE {query.where()}"
        f" ORDER BY written_on DESC, reflection_id DESC {query.limit(page)}",
        *query.params,
    )
    listed = build_page(
        [_stored_reflection(r) for r in rows],
        page.limit,
        lambda s: [s.reflection.written_on.isoformat(), s.reflection.reflection_id],
    )
    return listed.items, listed.next_cursor


async def reflections_written_between(
    conn: Connection, agency_id: str, start: date, end: date
) -> list[Reflection]:
    rows = await conn.fetch(
        f"SELECT {_REFLECTION_COLUMNS}, '' AS fingerprint FROM reflections"
        " WHERE agency_id = $1 AND written_on BETWEEN $2 AND $3",
        agency_id,
        start,
        end,
    )
    return [_stored_reflection(r).reflection for r in rows]


def _stored_reflection(row: asyncpg.Record) -> StoredReflection:
    return StoredReflection(
        reflection=Reflection(
            reflection_id=str(row["reflection_id"]),
            practitioner_id=row["practitioner_id"],
            written_on=row["written_on"],
            text=row["text"],
            competency=Competency(row["competency"]) if row["competency"] else None,
        ),
        recorded_at=row["recorded_at"],
        fingerprint=row["fingerprint"],
    )


def _peer_public(row: asyncpg.Record) -> PeerSessionPublic:
    return PeerSessionPublic(
        id=row["session_id"],
        facilitator_id=row["facilitator_id"],
        participant_ids=row["participant_ids"],
        held_on=row["held_on"],
        competencies=row["competencies"],
        shared=row["shared"],
        recorded_at=row["recorded_at"],
    )
