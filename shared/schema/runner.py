"""Bringing a service schema to its newest revision, at start-up and from `miiwrap migrate`.

Replicas starting together on an empty database take turns: the upgrade runs in one
transaction that first takes an advisory lock on the schema, so the replica that waited
finds the work done (Alembic reads the version after the lock). A schema already at its
newest revision costs one query and never loads SQLAlchemy's engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import sqlalchemy
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.config import ServiceSettings
from shared.database import Connection, Pool, create_pool
from shared.schema.service_schema import ServiceSchema

LOCK = "SELECT pg_advisory_xact_lock(hashtext('miiwrap-migrate:' || current_schema()))"


@dataclass(frozen=True)
class Migrated:
    before: str | None  # None: the schema had no version table (empty, or made before)
    after: str


async def current_revision(conn: Connection) -> str | None:
    """The schema's revision, from the version table in the schema itself."""
    try:
        revision: str | None = await conn.fetchval("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        return None
    return revision


async def migrate(settings: ServiceSettings, schema: ServiceSchema, pool: Pool) -> Migrated:
    """Upgrade `settings.db_schema` to the newest revision (a no-op when it is there)."""
    async with pool.acquire() as conn:
        before = await current_revision(conn)
    if before == schema.head:
        return Migrated(before=before, after=before)
    await _with_alembic(settings, lambda connection: _upgrade(connection, schema))
    return Migrated(before=before, after=schema.head)


async def write_revision(settings: ServiceSettings, schema: ServiceSchema, message: str) -> Path:
    """A new revision file holding what the models declare and the revisions lack.

    Alembic's autogenerate compares the models with a scratch schema migrated to the
    newest revision (dropped after), so no real database needs to be at head.
    """
    scratch = settings.model_copy(
        update={"db_schema": f"{settings.db_schema}_autogen_{uuid.uuid4().hex[:8]}"}
    )
    pool = await create_pool(scratch, min_size=1, max_size=1)
    try:
        await migrate(scratch, schema, pool)
        written: list[Path] = []
        await _with_alembic(
            scratch, lambda connection: written.append(_revision(connection, schema, message))
        )
        return written[0]
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA "{scratch.db_schema}" CASCADE')
        await pool.close()


async def _with_alembic(
    settings: ServiceSettings, work: Callable[[sqlalchemy.Connection], None]
) -> None:
    """Run `work` on a SQLAlchemy connection of the service schema, in one transaction
    holding the schema's migration lock."""

    async def connect() -> asyncpg.Connection[asyncpg.Record]:
        connection: asyncpg.Connection[asyncpg.Record] = await asyncpg.connect(
            settings.database_dsn,
            server_settings={"search_path": f"{settings.db_schema},public"},
            timeout=settings.db_connect_timeout_seconds,
        )
        return connection

    engine = create_async_engine("postgresql+asyncpg://", async_creator=connect, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(LOCK)
            await connection.run_sync(work)
    finally:
        await engine.dispose()


def _upgrade(connection: sqlalchemy.Connection, schema: ServiceSchema) -> None:
    config = schema.config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _revision(connection: sqlalchemy.Connection, schema: ServiceSchema, message: str) -> Path:
    config = schema.config()
    config.attributes["connection"] = connection
    script = command.revision(
        config, message=message, autogenerate=True, rev_id=f"{int(schema.head) + 1:04d}"
    )
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic wrote no single revision")
    return Path(script.path)
