"""What re-evaluating a practitioner with a long history reads from the evidence table."""

from __future__ import annotations

import json

from services.certification.adapters.evaluation_reads import evaluation_inputs
from services.certification.adapters.evidence_cache import PARSED_EVIDENCE
from services.certification.adapters.evidence_rows import analyze_if_unseen
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


async def _analyzed(conn: Connection) -> int:
    """How often the evidence table was analyzed by a statement (autovacuum's not counted)."""
    await conn.execute("SELECT pg_stat_clear_snapshot()")  # not the transaction's first look
    count = await conn.fetchval(
        "SELECT analyze_count FROM pg_stat_user_tables WHERE relid = 'evidence'::regclass"
    )
    return int(count or 0)


async def _estimate(conn: Connection, agency_id: str) -> float:
    """The planner's count of the agency's evidence rows."""
    plan = await conn.fetchval(
        "EXPLAIN (FORMAT JSON) SELECT FROM evidence WHERE agency_id = $1", agency_id
    )
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


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
    async with certification.rolled_back() as conn:
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


async def test_a_large_batch_of_an_agency_the_statistics_have_not_seen_has_the_table_analyzed(
    certification: CertificationApi,
) -> None:
    agency_id = certification.agency_id
    async with certification.rolled_back() as conn:
        await _store(conn, agency_id, 1, 600)
        assert await _estimate(conn, agency_id) < 600  # the planner has not seen them
        analyzed = await _analyzed(conn)
        assert not await analyze_if_unseen(conn, agency_id, 100)  # a small batch: not asked
        assert await analyze_if_unseen(conn, agency_id, 600)
        # analyzed inside the batch's transaction: its own rows are counted
        assert await _estimate(conn, agency_id) >= 500
        assert await _analyzed(conn) == analyzed + 1
        # the next large batch finds the agency known: no second analysis
        await _store(conn, agency_id, 601, 500)
        assert not await analyze_if_unseen(conn, agency_id, 500)
