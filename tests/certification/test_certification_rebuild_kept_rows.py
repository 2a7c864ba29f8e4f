"""A rebuild first asks whether the agency holds evidence and roster rows to keep; the
answer reads one index entry, also on a connection that reuses a generic plan (a pooled
connection after a few rebuilds), instead of scanning other agencies' rows."""

from __future__ import annotations

from services.certification.adapters.logged_rows import logged_evidence_kept, logged_roster_kept
from shared.database import Connection
from tests.certification.certification_client import CertificationApi

OTHER_AGENCIES = 10
ROWS_EACH = 2000


async def _store_other_agencies(conn: Connection) -> None:
    await conn.execute(
        "INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on,"
        " source, item, position)"
        " SELECT 'other-' || (g % $1::int), 'item-' || g, 'pr-' || (g / $1::int),"
        " 'module_mastered', '2025-03-04', 'test', '{}'::jsonb, g"
        " FROM generate_series(1, $1::int * $2::int) AS g",
        OTHER_AGENCIES,
        ROWS_EACH,
    )
    await conn.execute(
        "INSERT INTO practitioners (agency_id, practitioner_id, role, program_start,"
        " registered_event_id, registered_at)"
        " SELECT 'other-' || (g % $1::int), 'pr-' || g, 'facilitator', '2025-03-04',"
        " gen_random_uuid(), now() FROM generate_series(1, $1::int * $2::int) AS g",
        OTHER_AGENCIES,
        ROWS_EACH,
    )
    await conn.execute("ANALYZE evidence")
    await conn.execute("ANALYZE practitioners")


async def _scans(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT relname, coalesce(seq_scan, 0) AS scans FROM pg_stat_xact_user_tables"
        " WHERE relid IN ('evidence'::regclass, 'practitioners'::regclass)"
    )
    return {row["relname"]: int(row["scans"]) for row in rows}


async def test_a_first_builds_question_for_rows_to_keep_reads_no_other_agencys_rows(
    certification: CertificationApi,
) -> None:
    async with certification.rolled_back() as conn:
        await _store_other_agencies(conn)
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        before = await _scans(conn)

        assert await logged_evidence_kept(conn, certification.agency_id) is None
        assert await logged_roster_kept(conn, certification.agency_id) is None

        assert await _scans(conn) == before
