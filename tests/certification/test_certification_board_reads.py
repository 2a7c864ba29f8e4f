"""What a board page reads from PostgreSQL, and the statistics it is planned on."""

from __future__ import annotations

import json
from datetime import date

from services.certification.adapters import listing
from services.certification.handlers import rebuild as rebuild_module
from shared.database import Connection
from shared.pagination import PageRequest
from tests.certification.certification_client import CertificationApi


async def _roster_estimate(conn: Connection, table: str, agency_id: str) -> float:
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT FROM {table} WHERE agency_id = $1", agency_id
    )
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


async def _copies(conn: Connection, table: str, agency_id: str, count: int) -> None:
    """`count` copies of the registered practitioner's row of `table`, each its own id."""
    columns = [
        row["attname"]
        for row in await conn.fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = ''",
            table,
        )
    ]
    chosen = ", ".join("'copy-' || g" if c == "practitioner_id" else f"t.{c}" for c in columns)
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen}"
        f" FROM {table} t, generate_series(1, $2) AS g"
        " WHERE t.agency_id = $1 AND t.practitioner_id = 'pr-first'",
        agency_id,
        count,
    )


async def test_a_rebuilt_roster_the_statistics_have_not_seen_has_its_tables_analyzed(
    certification: CertificationApi,
) -> None:
    """The board's page is planned on the roster's and evaluations' statistics: a first
    build of a large agency leaves them knowing it, not taking it for a handful of rows."""
    agency_id = certification.agency_id
    await certification.register("pr-first")
    async with certification.rolled_back() as conn:
        for table in ("practitioners", "evaluations"):
            await _copies(conn, table, agency_id, 600)
            assert await _roster_estimate(conn, table, agency_id) < 600
        await rebuild_module.analyze_board_if_unseen(conn, agency_id, 10)  # small: not asked
        assert await _roster_estimate(conn, "practitioners", agency_id) < 600
        await rebuild_module.analyze_board_if_unseen(conn, agency_id, 601)
        for table in ("practitioners", "evaluations"):
            assert await _roster_estimate(conn, table, agency_id) >= 500


async def test_a_rebuilt_roster_is_analyzed_from_a_sample_sized_to_its_share_of_the_table(
    certification: CertificationApi,
) -> None:
    """The rebuild's analysis needs the agency's count, not fine histograms: an agency
    that is a large share of the table is counted from a small sample (a statistics
    target under PostgreSQL's 100: fewer histogram bounds), and counted all the same."""
    agency_id = certification.agency_id
    await certification.register("pr-first")
    async with certification.rolled_back() as conn:
        await _copies(conn, "practitioners", agency_id, 600)
        await rebuild_module.analyze_board_if_unseen(conn, agency_id, 601)
        assert await _roster_estimate(conn, "practitioners", agency_id) >= 500
        bounds = await conn.fetchval(
            "SELECT cardinality(histogram_bounds::text::text[]) FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'practitioners'"
            " AND attname = 'practitioner_id'"
        )
        assert bounds is not None and bounds <= 51  # 101 with the configured target
        # the transaction's own setting is as it was
        assert await conn.fetchval("SHOW default_statistics_target") == "100"


async def _rows_read(conn: Connection, table: str) -> int:
    """Rows of `table` this transaction has read so far, by scans and through indexes."""
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    read = await conn.fetchval(
        "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
        " FROM pg_stat_xact_user_tables WHERE relid = $1::regclass",
        table,
    )
    return int(read or 0)


async def _large_roster(
    conn: Connection, agency_id: str, count: int, *, supervisors: int | None = None
) -> None:
    """`count` copies of the registered practitioner and its evaluation, spread over
    `supervisors` supervisors when given, then analyzed as a settled table is."""
    for table in ("practitioners", "evaluations"):
        await _copies(conn, table, agency_id, count)
    if supervisors is not None:
        await conn.execute(
            "UPDATE practitioners"
            " SET supervisor_id = 'sup-' || (abs(hashtext(practitioner_id)) % $2)"
            " WHERE agency_id = $1",
            agency_id,
            supervisors,
        )
    for table in ("practitioners", "evaluations"):
        await conn.execute(f"ANALYZE {table}")


async def test_a_board_page_after_a_cursor_reads_the_evaluations_of_that_page_not_those_before(
    certification: CertificationApi,
) -> None:
    agency_id = certification.agency_id
    await certification.register("pr-first")
    async with certification.rolled_back() as conn:
        await _large_roster(conn, agency_id, 3000)
        query = listing.roster_query(
            agency_id,
            PageRequest(limit=50, after=["copy-2500"]),
            listing.RosterFilter(),
            date.today(),
        )
        for _ in range(7):  # past PostgreSQL's custom plans: the plan a pool's session keeps
            before = await _rows_read(conn, "evaluations")
            page = await listing.roster_page(conn, query)
            fetched = await _rows_read(conn, "evaluations") - before
        items = json.loads(f"[{page.items}]")
        assert [item["practitioner_id"] for item in items][:2] == ["copy-2501", "copy-2502"]
        assert len(items) == 50 and all(item["levels"] for item in items)
        assert fetched <= 2 * 51  # not the ~2,500 evaluations before the cursor


async def test_a_supervisors_board_reads_that_supervisors_practitioners_not_the_whole_roster(
    certification: CertificationApi,
) -> None:
    agency_id = certification.agency_id
    await certification.register("pr-first")
    async with certification.rolled_back() as conn:
        await _large_roster(conn, agency_id, 3000, supervisors=100)
        wanted = listing.RosterFilter(supervisor_id="sup-7")
        query = listing.roster_query(
            agency_id, PageRequest(limit=50, after=None), wanted, date.today()
        )
        for _ in range(7):  # past PostgreSQL's custom plans: the plan a pool's session keeps
            before = await _rows_read(conn, "practitioners")
            page = await listing.roster_page(conn, query)
            read = await _rows_read(conn, "practitioners") - before
        items = json.loads(f"[{page.items}]")
        assert items and all(item["supervisor_id"] == "sup-7" for item in items)
        assert len(items) == await conn.fetchval(
            "SELECT count(*) FROM practitioners WHERE agency_id = $1 AND supervisor_id = 'sup-7'",
            agency_id,
        )
        assert read <= 2 * len(items)  # not the agency's 3,001 practitioners


async def test_a_board_page_holds_the_rows_after_its_cursor_and_the_cursor_of_the_next(
    certification: CertificationApi,
) -> None:
    """A full page followed by more, a full last page, a short one, and none: the items
    after the cursor in id order, and a cursor only when another page follows."""
    agency_id = certification.agency_id
    await certification.register("pr-first")
    async with certification.rolled_back() as conn:
        await _copies(conn, "practitioners", agency_id, 9)
        await _copies(conn, "evaluations", agency_id, 4)  # some not evaluated yet
        ids = sorted(
            await conn.fetchval(
                "SELECT array_agg(practitioner_id) FROM practitioners WHERE agency_id = $1",
                agency_id,
            )
        )
        for after, limit in ((None, 3), (ids[2], 3), (ids[6], 3), (ids[5], 4), (ids[-1], 3)):
            query = listing.roster_query(
                agency_id,
                PageRequest(limit=limit, after=None if after is None else [after]),
                listing.RosterFilter(),
                date.today(),
            )
            page = await listing.roster_page(conn, query)
            following = [i for i in ids if after is None or i > after]
            items = json.loads(f"[{page.items}]")
            assert [item["practitioner_id"] for item in items] == following[:limit]
            assert all(item["levels"] for item in items if item["practitioner_id"] <= "copy-4")
            assert page.next_after == (following[limit - 1] if len(following) > limit else None)
