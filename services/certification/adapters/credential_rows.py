"""The ``credentials`` projection and its reads: who holds which credential, which bits are set."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.certification.domain.credential_plan import ActiveCredential
from shared.database import Connection
from shared.events import StoredEvent

_INDEX_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || $1, 0))"


async def project_credential(conn: Connection, event: StoredEvent) -> None:
    data, agency = event.data, event.agency_id
    if event.name == "credential_issued":
        await conn.execute(
            "INSERT INTO credentials (agency_id, credential_id, credential_url, practitioner_id,"
            " level, level_title, status, status_index, valid_from, valid_until, key_id,"
            " transition_event_id, jwt, issued_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $12, $13)",
            agency,
            data["credential_id"],
            data["credential_url"],
            data["practitioner_id"],
            data["level"],
            data["level_title"],
            data["status_index"],
            _date(data["valid_from"]),
            _date(data["valid_until"]) if data["valid_until"] else None,
            data["key_id"],
            data["transition_event_id"],
            data["jwt"],
            event.recorded_at,
        )
    elif event.name == "credential_status_changed":
        await conn.execute(
            "UPDATE credentials SET status = $3, status_reason = $4, status_changed_on = $5"
            " WHERE agency_id = $1 AND credential_id = $2",
            agency,
            data["credential_id"],
            data["status"],
            data["reason"],
            _date(data["effective_on"]),
        )


def _date(value: str) -> date:
    return date.fromisoformat(value)


async def issued_count(conn: Connection, agency_id: str) -> int:
    """How many credentials the agency issued, serialised per agency (status indexes)."""
    await conn.execute(_INDEX_LOCK, f"credential-index/{agency_id}")
    count = await conn.fetchval("SELECT count(*) FROM credentials WHERE agency_id = $1", agency_id)
    return int(count)


async def active_by_level(
    conn: Connection, agency_id: str, practitioner_id: str
) -> dict[str, ActiveCredential]:
    rows = await conn.fetch(
        "SELECT level, credential_id, transition_event_id FROM credentials"
        " WHERE agency_id = $1 AND practitioner_id = $2 AND status = 'active'"
        " ORDER BY issued_at",
        agency_id,
        practitioner_id,
    )
    return {
        row["level"]: ActiveCredential(row["credential_id"], row["transition_event_id"])
        for row in rows
    }


async def credentials_of(
    conn: Connection, agency_id: str, practitioner_id: str
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM credentials WHERE agency_id = $1 AND practitioner_id = $2"
        " ORDER BY issued_at, credential_id",
        agency_id,
        practitioner_id,
    )


async def credential(conn: Connection, credential_id: str) -> asyncpg.Record | None:
    """Any agency's credential by its id (ids are random uuids, unique across agencies)."""
    return await conn.fetchrow("SELECT * FROM credentials WHERE credential_id = $1", credential_id)


async def revoked_indexes(conn: Connection, agency_id: str) -> list[int]:
    rows = await conn.fetch(
        "SELECT status_index FROM credentials WHERE agency_id = $1 AND status = 'revoked'",
        agency_id,
    )
    return [int(row["status_index"]) for row in rows]


async def is_revoked(conn: Connection, agency_id: str, status_index: int) -> bool | None:
    """The bit of ``status_index`` on the agency's list (None: no credential holds it)."""
    status = await conn.fetchval(
        "SELECT status FROM credentials WHERE agency_id = $1 AND status_index = $2",
        agency_id,
        status_index,
    )
    return None if status is None else status == "revoked"
