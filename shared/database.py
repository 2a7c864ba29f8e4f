"""PostgreSQL connection pool per service, its schema, and schema migration at start-up.

Every service lives in its own schema (`search_path` is set on each connection), so the
same SQL serves production (`learning`, `fidelity`, …) and tests (one schema per test).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.config import ServiceSettings

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
# what `pool.acquire()` yields and what handlers receive: either works the same way
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


async def _init_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(settings: ServiceSettings, **overrides: Any) -> Pool:
    """A pool whose connections see the service schema first, then `public`."""
    await ensure_schema(settings.database_url, settings.db_schema)
    options: dict[str, Any] = {
        "dsn": settings.database_url,
        "min_size": settings.db_pool_min,
        "max_size": settings.db_pool_max,
        "server_settings": {"search_path": f"{settings.db_schema},public"},
        "init": _init_connection,
    }
    options.update(overrides)
    pool = await asyncpg.create_pool(**options)
    assert pool is not None
    return pool


async def ensure_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


async def apply_migrations(pool: Pool, name: str, statements: Sequence[str]) -> None:
    """Run idempotent DDL under an advisory lock so replicas starting together don't race."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))", name)
        for statement in statements:
            await conn.execute(statement)
