"""Canonical Activity definitions (see `canonical`): written when they change, read by
the Activities resource and by GET /statements?format=canonical.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from shared.database import Connection

from ..structure import JsonObject


async def save_definitions(
    conn: Connection, agency_id: str, definitions: Mapping[str, JsonObject]
) -> None:
    """Insert or replace these canonical definitions (in Activity id order: no deadlocks)."""
    if not definitions:
        return
    ordered = sorted(definitions.items())
    await conn.execute(
        """
        INSERT INTO xapi_activities (agency_id, activity_id, definition)
        SELECT $1, d.activity_id, d.definition::jsonb
        FROM unnest($2::text[], $3::text[]) AS d(activity_id, definition)
        ON CONFLICT (agency_id, activity_id) DO UPDATE
        SET definition = excluded.definition, updated_at = now()
        """,
        agency_id,
        [activity_id for activity_id, _ in ordered],
        [json.dumps(d, ensure_ascii=False) for _, d in ordered],
    )


async def canonical_definitions(
    conn: Connection, agency_id: str, activity_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored definition of each of these Activities that has one."""
    if not activity_ids:
        return {}
    rows = await conn.fetch(
        "SELECT activity_id, definition FROM xapi_activities"
        " WHERE agency_id = $1 AND activity_id = ANY($2::text[])",
        agency_id,
        list(activity_ids),
    )
    return {row["activity_id"]: row["definition"] for row in rows}
