"""Roster events → the `practitioners` row (current details) and the `roster_changes` history.

Applied one event at a time in log order: a leaving or a return copies the details in
force before it, so every history row carries the full details from its effective
date on. The same code serves live writes and rebuilds (`projector.project`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.database import Connection
from shared.events import StoredEvent

HISTORY_COLUMNS = """agency_id, practitioner_id, position, event_id, kind, effective_on, role,
    program_start, coach_id, supervisor_id, team_id, changed, reason, client_id, content_hash,
    recorded_at"""


def _idempotency(event: StoredEvent) -> tuple[Any, Any]:
    return event.metadata.get("client_id"), event.metadata.get("content_hash")


async def project_roster_events(conn: Connection, events: Sequence[StoredEvent]) -> None:
    """Every roster event in log order. A run of registrations of distinct practitioners
    (a bulk import, a rebuild's replay) is written in two statements: a registration's
    history row holds exactly the details it registers, so nothing needs reading back."""
    run: list[StoredEvent] = []
    in_run: set[tuple[str, str]] = set()
    for event in events:
        registering = event.name == "practitioner_registered"
        who = (event.agency_id, event.data["practitioner_id"])
        if run and (not registering or who in in_run):
            await _register_all(conn, run)
            run, in_run = [], set()
        if registering:
            run.append(event)
            in_run.add(who)
        else:
            await project_roster_event(conn, event)
    if run:
        await _register_all(conn, run)


async def _register_all(conn: Connection, events: Sequence[StoredEvent]) -> None:
    if len(events) == 1:
        await project_roster_event(conn, events[0])
        return
    data = [event.data for event in events]
    await conn.execute(
        """
        INSERT INTO practitioners (agency_id, practitioner_id, role, program_start, coach_id,
            supervisor_id, team_id, left_on, registered_event_id, registered_at)
        SELECT a, p, r, s::date, c, v, t, NULL, e, w FROM unnest($1::text[], $2::text[],
            $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
            $9::timestamptz[]) AS x(a, p, r, s, c, v, t, e, w)
        ON CONFLICT (agency_id, practitioner_id) DO UPDATE SET role = excluded.role,
            program_start = excluded.program_start, coach_id = excluded.coach_id,
            supervisor_id = excluded.supervisor_id, team_id = excluded.team_id,
            left_on = NULL, registered_event_id = excluded.registered_event_id,
            registered_at = excluded.registered_at
        """,
        [event.agency_id for event in events],
        [d["practitioner_id"] for d in data],
        [d["role"] for d in data],
        [d["program_start"] for d in data],
        [d["coach_id"] for d in data],
        [d["supervisor_id"] for d in data],
        [d.get("team_id") for d in data],
        [event.event_id for event in events],
        [event.recorded_at for event in events],
    )
    idempotency = [_idempotency(event) for event in events]
    await conn.execute(
        f"""
        INSERT INTO roster_changes ({HISTORY_COLUMNS})
        SELECT a, p, n, e, 'registered', s::date, r, s::date, c, v, t, '{{}}'::text[], y,
            i::uuid, h, w
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::uuid[], $5::text[],
            $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
            $12::text[], $13::timestamptz[]) AS x(a, p, n, e, s, r, c, v, t, y, i, h, w)
        """,
        [event.agency_id for event in events],
        [d["practitioner_id"] for d in data],
        [event.position for event in events],
        [event.event_id for event in events],
        [d["program_start"] for d in data],
        [d["role"] for d in data],
        [d["coach_id"] for d in data],
        [d["supervisor_id"] for d in data],
        [d.get("team_id") for d in data],
        [d.get("reason") for d in data],
        [None if client is None else str(client) for client, _ in idempotency],
        [content_hash for _, content_hash in idempotency],
        [event.recorded_at for event in events],
    )


def _history_insert(source: str, first: int) -> str:
    """The history row copying the details the `practitioners` row in `source` (a CTE,
    `RETURNING *`) holds; its own values are the parameters from `$first` on
    (`_history_values`)."""
    n = [f"${first + i}" for i in range(9)]
    return f"""
        INSERT INTO roster_changes ({HISTORY_COLUMNS})
        SELECT agency_id, practitioner_id, {n[0]}::bigint, {n[1]}::uuid, {n[2]}::text,
            {n[3]}::text::date, role, program_start, coach_id, supervisor_id, team_id,
            {n[4]}::text[], {n[5]}::text, {n[6]}::uuid, {n[7]}::text, {n[8]}::timestamptz
        FROM {source}
    """


def _with_history(change: str, first: int) -> str:
    """`change` (an INSERT or UPDATE of the `practitioners` row, `RETURNING *`) and the
    history row copying the details that row holds after it, in one statement."""
    return f"WITH changed AS ({change}) {_history_insert('changed', first)}"


def _history_values(
    event: StoredEvent, kind: str, effective_on: str, changed: list[str]
) -> list[Any]:
    client_id, content_hash = _idempotency(event)
    return [
        event.position,
        event.event_id,
        kind,
        effective_on,
        changed,
        event.data.get("reason"),
        client_id,
        content_hash,
        event.recorded_at,
    ]


def registration_ctes(first: int) -> str:
    """`practitioner_registered`'s rows (the `practitioners` row and its history row) as
    two data-modifying CTEs, `registered` and `registered_history`, for a statement that
    does more in the same round trip; their parameters (`registration_values`) are
    numbered from `$first` on."""
    n = [f"${first + i}" for i in range(9)]
    change = f"""
        INSERT INTO practitioners (agency_id, practitioner_id, role, program_start, coach_id,
            supervisor_id, team_id, left_on, registered_event_id, registered_at)
        VALUES ({n[0]}, {n[1]}, {n[2]}, {n[3]}::text::date, {n[4]}, {n[5]}, {n[6]}, NULL,
            {n[7]}::uuid, {n[8]}::timestamptz)
        ON CONFLICT (agency_id, practitioner_id) DO UPDATE SET role = excluded.role,
            program_start = excluded.program_start, coach_id = excluded.coach_id,
            supervisor_id = excluded.supervisor_id, team_id = excluded.team_id,
            left_on = NULL, registered_event_id = excluded.registered_event_id,
            registered_at = excluded.registered_at
        RETURNING *
    """
    return (
        f"registered AS ({change}),"
        f" registered_history AS ({_history_insert('registered', first + 9)})"
    )


def registration_values(event: StoredEvent) -> list[Any]:
    """The parameters of `registration_ctes` for a `practitioner_registered` event."""
    data = event.data
    return [
        event.agency_id,
        data["practitioner_id"],
        data["role"],
        data["program_start"],
        data["coach_id"],
        data["supervisor_id"],
        data.get("team_id"),
        event.event_id,
        event.recorded_at,
        *_history_values(event, "registered", data["program_start"], []),
    ]


_REGISTERED = f"WITH {registration_ctes(1)} SELECT"

_DETAILS_CHANGED = _with_history(
    """
    UPDATE practitioners SET role = $3, program_start = $4::text::date, coach_id = $5,
        supervisor_id = $6, team_id = $7
    WHERE agency_id = $1 AND practitioner_id = $2
    RETURNING *
    """,
    8,
)

_LEFT_OR_RETURNED = _with_history(
    """
    UPDATE practitioners SET left_on = $3::text::date
    WHERE agency_id = $1 AND practitioner_id = $2
    RETURNING *
    """,
    4,
)


async def project_roster_event(conn: Connection, event: StoredEvent) -> None:
    """One roster event: the `practitioners` row and its history row, one statement."""
    data, agency = event.data, event.agency_id
    who = data["practitioner_id"]
    kind = event.name.removeprefix("practitioner_")
    if event.name == "practitioner_registered":
        await conn.execute(_REGISTERED, *registration_values(event))
    elif event.name == "practitioner_details_changed":
        await conn.execute(
            _DETAILS_CHANGED,
            agency,
            who,
            data["role"],
            data["program_start"],
            data["coach_id"],
            data["supervisor_id"],
            data["team_id"],
            *_history_values(event, kind, data["effective_on"], data["changed"]),
        )
    elif event.name in ("practitioner_left", "practitioner_returned"):
        await conn.execute(
            _LEFT_OR_RETURNED,
            agency,
            who,
            data["effective_on"] if kind == "left" else None,
            *_history_values(event, kind, data["effective_on"], []),
        )
