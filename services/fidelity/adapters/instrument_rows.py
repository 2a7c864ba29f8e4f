"""Instrument versions in SQL: the global seed versions and each agency's own.

An agency sees the global versions (agency `*`) and its own. If both hold the same
key and version, the agency's own one wins for that agency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from services.fidelity.domain.instruments import Instrument
from shared.database import Connection

GLOBAL = "*"

_VISIBLE = """
    SELECT DISTINCT ON (key, version) agency_id, key, version, title, kind, definition,
           indicator_count, published_at, published_by
    FROM instruments WHERE agency_id IN ($1, '*')
"""
# agency rows before global ones, so DISTINCT ON keeps the agency's own version
_OWN_FIRST = "ORDER BY key, version, agency_id = '*'"


@dataclass(frozen=True, slots=True)
class StoredInstrument:
    instrument: Instrument
    scope: str  # "global" or "agency"
    indicator_count: int
    published_at: datetime
    published_by: str | None


def _stored(row: asyncpg.Record) -> StoredInstrument:
    return StoredInstrument(
        instrument=Instrument.model_validate(row["definition"]),
        scope="global" if row["agency_id"] == GLOBAL else "agency",
        indicator_count=row["indicator_count"],
        published_at=row["published_at"],
        published_by=row["published_by"],
    )


async def insert_instrument(
    conn: Connection, agency_id: str, instrument: Instrument, published_by: str | None
) -> bool:
    """Store a version; False when this agency (or `*`) already has it."""
    inserted = await conn.fetchval(
        """
        INSERT INTO instruments (agency_id, key, version, title, kind, definition,
                                 indicator_count, published_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT ON CONSTRAINT instruments_pkey DO NOTHING
        RETURNING true
        """,
        agency_id,
        instrument.key,
        instrument.version,
        instrument.title,
        instrument.kind.value,
        instrument.model_dump(mode="json"),
        len(instrument.indicator_ids()),
        published_by,
    )
    return bool(inserted)


# parsed instrument definitions by their JSON text: every observation names a version, and
# parsing it anew each time cost more than the query; keyed by the text, so a hit is
# always the very definition the row holds (rows are never updated)
_PARSED: dict[str, Instrument] = {}
_PARSED_AT_MOST = 256


def parsed_definition(text: str) -> Instrument:
    found = _PARSED.get(text)
    if found is None:
        found = Instrument.model_validate_json(text)
        if len(_PARSED) >= _PARSED_AT_MOST:
            _PARSED.clear()
        _PARSED[text] = found
    return found


async def find_instrument(
    conn: Connection, agency_id: str, key: str, version: int
) -> StoredInstrument | None:
    """The version an agency sees (the hot path of every observation: a cached parse)."""
    row = await conn.fetchrow(
        "SELECT agency_id, indicator_count, published_at, published_by,"
        " definition::text AS definition_text"
        f" FROM ({_VISIBLE} AND key = $2 AND version = $3 {_OWN_FIRST}) v",
        agency_id,
        key,
        version,
    )
    if row is None:
        return None
    return StoredInstrument(
        instrument=parsed_definition(row["definition_text"]),
        scope="global" if row["agency_id"] == GLOBAL else "agency",
        indicator_count=row["indicator_count"],
        published_at=row["published_at"],
        published_by=row["published_by"],
    )


async def find_latest_instrument(
    conn: Connection, agency_id: str, key: str
) -> StoredInstrument | None:
    row = await conn.fetchrow(
        f"SELECT * FROM ({_VISIBLE} AND key = $2 {_OWN_FIRST}) v ORDER BY version DESC LIMIT 1",
        agency_id,
        key,
    )
    return _stored(row) if row else None


async def list_instruments(
    conn: Connection,
    agency_id: str,
    *,
    key: str | None,
    kind: str | None,
    after: tuple[str, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Visible versions ordered by (key, version), after the keyset position `after`."""
    args: list[Any] = [agency_id, key, kind, after[0] if after else None]
    args += [after[1] if after else None, limit]
    return await conn.fetch(
        f"""
        SELECT key, version, title, kind, indicator_count, published_at,
               CASE WHEN agency_id = '*' THEN 'global' ELSE 'agency' END AS scope
        FROM ({_VISIBLE} {_OWN_FIRST}) v
        WHERE ($2::text IS NULL OR key = $2)
          AND ($3::text IS NULL OR kind = $3)
          AND ($4::text IS NULL OR (key, version) > ($4, $5::bigint))
        ORDER BY key, version
        LIMIT $6
        """,
        *args,
    )


async def visible_instrument_keys(conn: Connection, agency_id: str) -> list[str]:
    """The instrument families (keys) the agency sees, in key order."""
    rows = await conn.fetch(
        "SELECT DISTINCT key FROM instruments WHERE agency_id IN ($1, '*') ORDER BY key",
        agency_id,
    )
    return [r["key"] for r in rows]
