"""Advisory locks that serialise certification writes without blocking readers.

Every write takes its agency's lock *shared* and then the practitioner's lock, so two
consumers (or a consumer and the clock) never evaluate one practitioner at once and
never publish the same transition twice. A rebuild takes the agency lock *exclusive*:
it waits for writes in flight and holds new ones until its transaction commits, while
readers keep seeing the old projection (MVCC). Keys include the schema, so services
and tests sharing a database never contend.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.database import Connection
from shared.extras import RuntimeExtra
from shared.naming import stream_id
from shared.service import Runtime
from shared.transactions import AdvisoryLock

_KEY = "hashtextextended(current_schema() || $1, 0)"


async def share_agency(conn: Connection, agency_id: str) -> None:
    await conn.execute(
        f"SELECT pg_advisory_xact_lock_shared({_KEY})", stream_id("agency", agency_id)
    )


async def own_agency(conn: Connection, agency_id: str) -> None:
    await conn.execute(f"SELECT pg_advisory_xact_lock({_KEY})", stream_id("agency", agency_id))


async def own_practitioners(conn: Connection, agency_id: str, ids: Iterable[str]) -> None:
    """Lock practitioners in a fixed order, so two multi-practitioner writers cannot deadlock.

    One statement takes them all, one after another in the order given (sorted here).
    """
    keys = [stream_id("practitioner", agency_id, pid) for pid in sorted(set(ids))]
    if not keys:
        return
    await conn.execute(
        "SELECT count(pg_advisory_xact_lock(hashtextextended(current_schema() || k.key, 0)))"
        " FROM (SELECT key FROM unnest($1::text[]) WITH ORDINALITY AS u(key, n) ORDER BY n)"
        " AS k",
        keys,
    )


async def share_agency_own_practitioners(
    conn: Connection, agency_id: str, ids: Iterable[str]
) -> None:
    """`share_agency` then `own_practitioners`, in that order, in one round trip."""
    keys = [stream_id("practitioner", agency_id, pid) for pid in sorted(set(ids))]
    await conn.execute(
        "SELECT count(CASE WHEN k.n = 0"
        " THEN pg_advisory_xact_lock_shared(hashtextextended(current_schema() || k.key, 0))"
        " ELSE pg_advisory_xact_lock(hashtextextended(current_schema() || k.key, 0)) END)"
        " FROM (SELECT key, n FROM unnest($1::text[]) WITH ORDINALITY AS u(key, n)"
        " UNION ALL SELECT $2, 0 ORDER BY n) AS k",
        keys,
        stream_id("agency", agency_id),
    )


async def own_policies(conn: Connection, agency_id: str) -> None:
    """Serialises policy writes of one agency (taken before any practitioner lock)."""
    await conn.execute(f"SELECT pg_advisory_xact_lock({_KEY})", stream_id("policies", agency_id))


_SCHEMA: RuntimeExtra[str] = RuntimeExtra("certification_lock_schema")


async def registration_locks(
    runtime: Runtime, agency_id: str, practitioner_id: str
) -> list[AdvisoryLock]:
    """`share_agency_own_practitioners` of one practitioner as locks a transaction begins
    holding (shared/transactions.py): the same keys, the schema as `current_schema()`
    names it (read once per process: a service's schema never changes while it runs)."""
    schema = _SCHEMA.get(runtime)
    if schema is None:
        async with runtime.pool.acquire() as conn:
            schema = str(await conn.fetchval("SELECT current_schema()"))
        _SCHEMA.put(runtime, schema)
    return [
        AdvisoryLock(schema + stream_id("agency", agency_id), shared=True),
        AdvisoryLock(schema + stream_id("practitioner", agency_id, practitioner_id)),
    ]
