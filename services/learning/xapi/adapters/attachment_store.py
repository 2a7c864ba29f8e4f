"""Attachment data, stored once per agency and SHA-2 (Statements refer to it by hash)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.database import Connection

from ..multipart import AttachmentPart


async def save_attachments(
    conn: Connection, agency_id: str, parts: Sequence[AttachmentPart]
) -> None:
    if not parts:
        return
    await conn.execute(
        """
        INSERT INTO xapi_attachments (agency_id, sha2, content_type, content)
        SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bytea[])
        ON CONFLICT (agency_id, sha2) DO NOTHING
        """,
        agency_id,
        [p.sha2 for p in parts],
        [p.content_type for p in parts],
        [p.content for p in parts],
    )


async def load_attachments(
    conn: Connection, agency_id: str, hashes: Iterable[str]
) -> list[AttachmentPart]:
    """The stored data for these hashes, in the order first asked for."""
    wanted = list(dict.fromkeys(h.lower() for h in hashes))
    if not wanted:
        return []
    rows = await conn.fetch(
        "SELECT sha2, content_type, content FROM xapi_attachments"
        " WHERE agency_id = $1 AND sha2 = ANY($2::text[])",
        agency_id,
        wanted,
    )
    found = {
        row["sha2"]: AttachmentPart(row["sha2"], row["content_type"], row["content"])
        for row in rows
    }
    return [found[h] for h in wanted if h in found]
