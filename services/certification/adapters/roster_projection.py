"""Roster events → the `practitioners` row (current details) and the `roster_changes` history.

Applied one event at a time in log order: a leaving or a return copies the details in
force before it, so every history row carries the full details from its effective
date on. The same code serves live writes and rebuilds (`projector.project`).
"""

from __future__ import annotations

from typing import Any

from shared.database import Connection
from shared.events import StoredEvent

_HISTORY_COLUMNS = """agency_id, practitioner_id, position, event_id, kind, effective_on, role,
    program_start, coach_id, supervisor_id, team_id, changed, reason, client_id, content_hash,
    recorded_at"""


def _idempotency(event: StoredEvent) -> tuple[Any, Any]:
    return event.metadata.get("client_id"), event.metadata.get("content_hash")


async def project_roster_event(conn: Connection, event: StoredEvent) -> None:
    data, agency = event.data, event.agency_id
    kind = event.name.removeprefix("practitioner_")
    if event.name == "practitioner_registered":
        await conn.execute(
            """
            INSERT INTO practitioners (agency_id, practitioner_id, role, program_start, coach_id,
                supervisor_id, team_id, left_on, registered_event_id, registered_at)
            VALUES ($1, $2, $3, $4::text::date, $5, $6, $7, NULL, $8, $9)
            ON CONFLICT (agency_id, practitioner_id) DO UPDATE SET role = excluded.role,
                program_start = excluded.program_start, coach_id = excluded.coach_id,
                supervisor_id = excluded.supervisor_id, team_id = excluded.team_id,
                left_on = NULL, registered_event_id = excluded.registered_event_id,
                registered_at = excluded.registered_at
            """,
            agency,
            data["practitioner_id"],
            data["role"],
            data["program_start"],
            data["coach_id"],
            data["supervisor_id"],
            data.get("team_id"),
            event.event_id,
            event.recorded_at,
        )
        await _copy_into_history(conn, event, kind, data["program_start"], [])
    elif event.name == "practitioner_details_changed":
        await conn.execute(
            """
            UPDATE practitioners SET role = $3, program_start = $4::text::date, coach_id = $5,
                supervisor_id = $6, team_id = $7
            WHERE agency_id = $1 AND practitioner_id = $2
            """,
            agency,
            data["practitioner_id"],
            data["role"],
            data["program_start"],
            data["coach_id"],
            data["supervisor_id"],
            data["team_id"],
        )
        await _copy_into_history(conn, event, kind, data["effective_on"], data["changed"])
    elif event.name in ("practitioner_left", "practitioner_returned"):
        await conn.execute(
            "UPDATE practitioners SET left_on = $3::text::date"
            " WHERE agency_id = $1 AND practitioner_id = $2",
            agency,
            data["practitioner_id"],
            data["effective_on"] if kind == "left" else None,
        )
        await _copy_into_history(conn, event, kind, data["effective_on"], [])


async def _copy_into_history(
    conn: Connection, event: StoredEvent, kind: str, effective_on: str, changed: list[str]
) -> None:
    """A history row with the details the `practitioners` row now holds."""
    client_id, content_hash = _idempotency(event)
    await conn.execute(
        f"""
        INSERT INTO roster_changes ({_HISTORY_COLUMNS})
        SELECT agency_id, practitioner_id, $3, $4, $5, $6::text::date, role, program_start,
            coach_id, supervisor_id, team_id, $7::text[], $8, $9::uuid, $10, $11
        FROM practitioners WHERE agency_id = $1 AND practitioner_id = $2
        """,
        event.agency_id,
        event.data["practitioner_id"],
        event.position,
        event.event_id,
        kind,
        effective_on,
        changed,
        event.data.get("reason"),
        client_id,
        content_hash,
        event.recorded_at,
    )
