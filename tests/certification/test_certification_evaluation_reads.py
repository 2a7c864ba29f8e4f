"""What re-evaluating a practitioner with a long history reads from the evidence table."""

from __future__ import annotations

from services.certification.adapters.evaluation_reads import evaluation_inputs
from services.certification.adapters.evidence_cache import PARSED_EVIDENCE
from services.certification.domain.evidence import EVIDENCE_ADAPTER
from shared.database import Connection
from tests.certification.certification_client import CertificationApi
from tests.certification.unit.certification_builders import PractitionerHistory

HISTORY = 300


async def _rows_fetched(conn: Connection) -> int:
    """Evidence rows this transaction has fetched through an index so far."""
    fetched = await conn.fetchval(
        "SELECT coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
        " WHERE relid = 'evidence'::regclass"
    )
    return int(fetched or 0)


async def _store(conn: Connection, agency_id: str, first: int, count: int) -> None:
    """`count` items of one practitioner, each its own event id and position."""
    item = EVIDENCE_ADAPTER.dump_python(
        PractitionerHistory.certified_facilitator().items[0], mode="json"
    )
    await conn.execute(
        "INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on,"
        " source, item, position)"
        " SELECT $1, 'long-' || g, 'pr-long', i->>'kind', (i->>'occurred_on')::date, 'test',"
        " jsonb_set(jsonb_set(i, '{event_id}', to_jsonb('long-' || g)),"
        " '{practitioner_id}', to_jsonb('pr-long'::text)), 1000000 + g"
        " FROM generate_series($2::int, $2 + $3 - 1) AS g, (SELECT $4::jsonb AS i) AS one",
        agency_id,
        first,
        count,
        item,
    )


async def test_checking_the_held_items_of_a_long_history_reads_each_row_once_not_once_per_item(
    certification: CertificationApi,
) -> None:
    agency_id = certification.agency_id
    async with certification.runtime.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await _store(conn, agency_id, 1, HISTORY)
            first = await evaluation_inputs(conn, agency_id, ["pr-long"], with_evidence=True)
            assert len(first.evidence["pr-long"]) == HISTORY
            assert len(PARSED_EVIDENCE.held(agency_id, "pr-long")) == HISTORY
            await _store(conn, agency_id, HISTORY + 1, 1)  # one more item arrives
            before = await _rows_fetched(conn)
            again = await evaluation_inputs(conn, agency_id, ["pr-long"], with_evidence=True)
            fetched = await _rows_fetched(conn) - before
            assert len(again.evidence["pr-long"]) == HISTORY + 1
            # the held items were served (only the new row was read in full) ...
            assert "long-1" in again.evidence["pr-long"]
            assert len(PARSED_EVIDENCE.held(agency_id, "pr-long")) == HISTORY + 1
            # ... after a check that went over the practitioner's rows a few times at most
            assert fetched <= 3 * (HISTORY + 1)
        finally:
            await transaction.rollback()
