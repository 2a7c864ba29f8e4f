"""Planner statistics that know an agency its transaction just wrote in bulk.

PostgreSQL plans a read of one agency with the row count its statistics give for that
`agency_id`. An agency the last ANALYZE never saw (a first build after a restore, a bulk
load) is taken for a handful of rows, so every index led by `agency_id` looks as good as
any other and a page or a practitioner's lookup can be planned as a scan and sort of the
whole agency; autovacuum analyzes only once a tenth of the table has changed, which one
agency's load into a larger table may never reach. Asking costs one plan (no execution);
the analysis samples only the columns such reads are planned on, and counts the rows
this transaction wrote (ANALYZE sees its own transaction's rows)."""

from __future__ import annotations

import json

from shared.database import Connection

# the tables and the columns their agency's reads are planned on
PLANNED_ON = {
    "evidence": ("agency_id", "practitioner_id"),
    "practitioners": ("agency_id", "practitioner_id"),
    "evaluations": ("agency_id", "practitioner_id"),
}


async def analyze_if_unseen(conn: Connection, table: str, agency_id: str, stored: int) -> bool:
    """When the planner takes the agency for fewer than ``stored`` rows of ``table``,
    analyze the table's planned-on columns inside this transaction; whether it did."""
    columns = PLANNED_ON[table]  # a known table only: its name goes into the statement
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT FROM {table} WHERE agency_id = $1", agency_id
    )
    estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    if estimate >= stored:
        return False
    await conn.execute(f"ANALYZE {table} ({', '.join(columns)})")
    return True
