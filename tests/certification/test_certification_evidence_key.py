"""The evidence is keyed by agency, practitioner and item event id (migration 0007), so a
practitioner's rows sit together in the key instead of scattered by the random item id,
and a database keyed the earlier way upgrades with its rows and its duplicate check."""

from __future__ import annotations

from typing import Any

from services.certification.adapters import evidence_rows
from services.certification.adapters.schema import SCHEMA
from shared.database import Connection
from shared.schema.runner import migrate
from tests.certification.certification_client import CertificationApi

_STORE = """
    INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on, source,
        item, position)
    VALUES ($1, $2, $3, 'module_mastered', '2025-03-04', 'test',
        jsonb_build_object('event_id', $2::text, 'practitioner_id', $3::text), $4)
    ON CONFLICT DO NOTHING
"""


async def _key_columns(conn: Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)"
        " JOIN pg_attribute a ON a.attrelid = 'evidence'::regclass AND a.attnum = k.attnum"
        " WHERE i.indrelid = 'evidence'::regclass AND i.indisprimary ORDER BY k.n"
    )
    return [row["attname"] for row in rows]


async def _evidence(conn: Connection, agency_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT to_jsonb(e) AS row FROM evidence e WHERE agency_id = $1 ORDER BY position",
        agency_id,
    )
    return [row["row"] for row in rows]


async def test_a_practitioners_evidence_rows_are_together_in_the_evidence_key(
    certification: CertificationApi,
) -> None:
    async with certification.rolled_back() as conn:
        assert await _key_columns(conn) == ["agency_id", "practitioner_id", "event_id"]


async def test_an_item_is_known_under_its_practitioner_and_a_retraction_under_any(
    certification: CertificationApi,
) -> None:
    agency_id = certification.agency_id
    async with certification.rolled_back() as conn:
        await conn.execute(_STORE, agency_id, "item-1", "pr-1", 1)
        await conn.execute(
            "INSERT INTO evidence_retractions (agency_id, event_id, practitioner_id,"
            " retracted_by) VALUES ($1, 'item-2', 'pr-1', gen_random_uuid())",
            agency_id,
        )

        assert await evidence_rows.has_evidence(conn, agency_id, "pr-1", "item-1")
        assert not await evidence_rows.has_evidence(conn, agency_id, "pr-1", "item-3")
        known = await evidence_rows.known_or_retracted(
            conn, agency_id, {"item-1": "pr-1", "item-2": "pr-2", "item-3": "pr-1"}
        )
        assert known == {"item-1", "item-2"}


async def test_evidence_keyed_by_agency_and_item_upgrades_with_its_rows_and_duplicates_dropped(
    certification: CertificationApi,
) -> None:
    agency_id, runtime = certification.agency_id, certification.runtime
    async with runtime.pool.acquire() as conn:
        # the evidence as revision 0006 left it
        await conn.execute(
            "ALTER TABLE evidence DROP CONSTRAINT evidence_pkey,"
            " ADD CONSTRAINT evidence_pkey PRIMARY KEY (agency_id, event_id)"
        )
        await conn.execute("UPDATE alembic_version SET version_num = '0006'")
        for position, (item, practitioner) in enumerate(
            [("item-1", "pr-1"), ("item-2", "pr-2"), ("item-3", "pr-1")], start=1
        ):
            await conn.execute(_STORE, agency_id, item, practitioner, position)
        before = await _evidence(conn, agency_id)

    migrated = await migrate(runtime.settings, SCHEMA, runtime.pool)

    assert (migrated.before, migrated.after) == ("0006", SCHEMA.head)
    async with runtime.pool.acquire() as conn:
        assert await _key_columns(conn) == ["agency_id", "practitioner_id", "event_id"]
        assert await _evidence(conn, agency_id) == before
        await conn.execute(_STORE, agency_id, "item-3", "pr-1", 9)  # a repeat: the first stands
        assert await _evidence(conn, agency_id) == before
