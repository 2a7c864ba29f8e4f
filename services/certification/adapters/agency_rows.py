"""The agencies table: one row per registered agency (written with its event)."""

from __future__ import annotations

import asyncpg

from shared.database import Connection


async def insert_agency(
    conn: Connection,
    *,
    agency_id: str,
    name: str,
    url: str | None,
    first_admin_id: str,
    registered_by: str,
    content_hash: str,
) -> None:
    await conn.execute(
        "INSERT INTO agencies (agency_id, name, url, first_admin_id, registered_by,"
        " content_hash) VALUES ($1, $2, $3, $4, $5, $6)",
        agency_id,
        name,
        url,
        first_admin_id,
        registered_by,
        content_hash,
    )


async def find_agency(conn: Connection, agency_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM agencies WHERE agency_id = $1", agency_id)


async def list_agencies(conn: Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM agencies ORDER BY agency_id")
