"""Tables straight from their models, for a test of one kernel part that needs its tables
and nothing else (a service's schema is migrated by its revisions instead)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

from shared.database import Pool
from shared.schema.service_schema import Declared, table_of


async def create_declared(pool: Pool, declared: Sequence[Declared]) -> None:
    """Create the declared tables and their indexes in the pool's schema."""
    dialect = make_url("postgresql://").get_dialect()()
    async with pool.acquire() as conn, conn.transaction():
        for model in declared:
            table = table_of(model)
            await conn.execute(str(CreateTable(table).compile(dialect=dialect)))
            for index in table.indexes:
                await conn.execute(str(CreateIndex(index).compile(dialect=dialect)))
