"""Planner statistics that know an agency its transaction just wrote in bulk.

PostgreSQL plans a read of one agency with the row count its statistics give for that
`agency_id`. An agency the last ANALYZE never saw (a first build after a restore, a bulk
load) is taken for a handful of rows, so every index led by `agency_id` looks as good as
any other and a page or a practitioner's lookup can be planned as a scan and sort of the
whole agency; autovacuum analyzes only once a tenth of the table has changed, which one
agency's load into a larger table may never reach. Asking costs one plan (no execution);
the analysis samples only the columns such reads are planned on, and counts the rows
this transaction wrote (ANALYZE sees its own transaction's rows).

What such reads need is the agency's row count, roughly, not fine histograms: an
analysis samples just enough rows to meet a few hundred of the agency's
(`analyze_agency`), not PostgreSQL's 30,000 whatever the agency's share. On a large
table that sample is most of its pages, read and often evicted again: in the benchmark
of ten agencies, the three analyses of a rebuild cost PostgreSQL 0.3-0.45 s of CPU,
against 0.05 s with the agency's share sampled."""

from __future__ import annotations

import json
import math

from shared.database import Connection

# the tables and the columns their agency's reads are planned on
PLANNED_ON = {
    "evidence": ("agency_id", "practitioner_id"),
    "practitioners": ("agency_id", "practitioner_id"),
    "evaluations": ("agency_id", "practitioner_id"),
}


# the agency's rows an analysis should meet in its sample (its count then within a few
# percent); ANALYZE samples 300 rows per unit of `default_statistics_target`
AGENCY_ROWS_SAMPLED = 300
_ROWS_PER_TARGET = 300
LEAST_TARGET = 10  # a sample of 3,000 rows: room for ten agencies' counts at least


def sample_target(table_rows: float, agency_rows: int, configured: int) -> int:
    """The statistics target whose sample meets about `AGENCY_ROWS_SAMPLED` of the
    agency's ``agency_rows`` among ``table_rows``: never below `LEAST_TARGET`, nor above
    the ``configured`` one."""
    share = max(agency_rows, 1) / max(table_rows, agency_rows, 1)
    wanted = math.ceil(AGENCY_ROWS_SAMPLED / share / _ROWS_PER_TARGET)
    return min(max(wanted, LEAST_TARGET), configured)


async def analyze_agency(conn: Connection, table: str, agency_rows: int) -> None:
    """Analyze the table's planned-on columns inside this transaction, sampling enough
    rows to count the agency's ``agency_rows`` (`sample_target`; the table's size as its
    last analysis or vacuum left it, plus the agency's)."""
    columns = PLANNED_ON[table]  # a known table only: its name goes into the statement
    row = await conn.fetchrow(
        "SELECT greatest(reltuples, 0) AS rows,"
        " current_setting('default_statistics_target')::int AS configured"
        " FROM pg_class WHERE oid = $1::regclass",
        table,
    )
    assert row is not None
    target = sample_target(row["rows"] + agency_rows, agency_rows, row["configured"])
    # for this analysis only: the transaction's setting is put back after it
    await conn.execute(
        f"SET LOCAL default_statistics_target = {target};"
        f" ANALYZE {table} ({', '.join(columns)});"
        f" SET LOCAL default_statistics_target = {int(row['configured'])}"
    )


async def analyze_if_unseen(conn: Connection, table: str, agency_id: str, stored: int) -> bool:
    """When the planner takes the agency for fewer than ``stored`` rows of ``table``,
    analyze the table's planned-on columns inside this transaction; whether it did."""
    if table not in PLANNED_ON:  # a known table only: its name goes into the statement
        raise ValueError(f"no planned-on columns known for {table!r}")
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT FROM {table} WHERE agency_id = $1", agency_id
    )
    estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    if estimate >= stored:
        return False
    await analyze_agency(conn, table, stored)
    return True
