"""Import windows: the projection of their events, and who an open window holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.database import Connection
from shared.events import StoredEvent


@dataclass(frozen=True)
class ImportWindow:
    window_id: str
    label: str | None
    content_hash: str
    opened_at: datetime
    opened_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    practitioners_held: int
    transitions_published: int | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


async def project_window(conn: Connection, event: StoredEvent) -> None:
    """`import_window_opened` / `import_window_closed` → the `import_windows` row."""
    data = event.data
    if event.name == "import_window_opened":
        await conn.execute(
            """
            INSERT INTO import_windows (agency_id, window_id, label, content_hash, opened_at,
                opened_by)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """,
            event.agency_id,
            data["window_id"],
            data["label"],
            data["content_hash"],
            event.recorded_at,
            event.actor,
        )
        return
    await conn.execute(
        """
        UPDATE import_windows SET closed_at = $3, closed_by = $4, practitioners_held = $5,
            transitions_published = $6
        WHERE agency_id = $1 AND window_id = $2
        """,
        event.agency_id,
        data["window_id"],
        event.recorded_at,
        event.actor,
        data["practitioners_held"],
        data["transitions_published"],
    )


_SELECT = """
    SELECT w.*, CASE WHEN w.closed_at IS NULL THEN
        (SELECT count(*) FROM import_window_practitioners h
         WHERE h.agency_id = w.agency_id AND h.window_id = w.window_id)
        ELSE w.practitioners_held END AS held
    FROM import_windows w
"""


def _window(row: asyncpg.Record) -> ImportWindow:
    return ImportWindow(
        window_id=row["window_id"],
        label=row["label"],
        content_hash=row["content_hash"],
        opened_at=row["opened_at"],
        opened_by=row["opened_by"],
        closed_at=row["closed_at"],
        closed_by=row["closed_by"],
        practitioners_held=row["held"],
        transitions_published=row["transitions_published"],
    )


async def window(conn: Connection, agency_id: str, window_id: str) -> ImportWindow | None:
    row = await conn.fetchrow(
        _SELECT + " WHERE w.agency_id = $1 AND w.window_id = $2", agency_id, window_id
    )
    return _window(row) if row else None


async def open_window_id(conn: Connection, agency_id: str) -> str | None:
    """The agency's open import window, if any (at most one)."""
    value: str | None = await conn.fetchval(
        "SELECT window_id FROM import_windows WHERE agency_id = $1 AND closed_at IS NULL",
        agency_id,
    )
    return value


async def windows(
    conn: Connection, agency_id: str, *, only_open: bool, after: str, limit: int
) -> list[ImportWindow]:
    """The agency's windows in id order, after the keyset ``after``."""
    rows = await conn.fetch(
        _SELECT
        + """
        WHERE w.agency_id = $1 AND ($2::bool IS FALSE OR w.closed_at IS NULL)
          AND w.window_id > $3
        ORDER BY w.window_id LIMIT $4
        """,
        agency_id,
        only_open,
        after,
        limit,
    )
    return [_window(row) for row in rows]


async def hold(
    conn: Connection, agency_id: str, window_id: str, practitioner_ids: Sequence[str]
) -> None:
    """Record the practitioners as held by the window (each once)."""
    await conn.execute(
        "INSERT INTO import_window_practitioners (agency_id, window_id, practitioner_id)"
        " SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING",
        agency_id,
        window_id,
        sorted(set(practitioner_ids)),
    )


async def held_practitioners(conn: Connection, agency_id: str, window_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT practitioner_id FROM import_window_practitioners"
        " WHERE agency_id = $1 AND window_id = $2 ORDER BY practitioner_id",
        agency_id,
        window_id,
    )
    return [row["practitioner_id"] for row in rows]


async def open_windows_opened_before(conn: Connection, before: datetime) -> list[asyncpg.Record]:
    """Every agency's windows open since before ``before`` (left open too long)."""
    return await conn.fetch(
        "SELECT agency_id, window_id, opened_at FROM import_windows"
        " WHERE closed_at IS NULL AND opened_at < $1 ORDER BY opened_at",
        before,
    )
