"""Bringing a service schema to its newest revision, at start-up and from `miiwrap migrate`.

Replicas starting together on an empty database take turns: the upgrade runs in one
transaction that first takes an advisory lock on the schema, so the replica that waited
finds the work done (Alembic reads the version after the lock). A schema already at its
newest revision costs one query and never loads SQLAlchemy's engine.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy
import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.config import ServiceSettings
from shared.database import Connection, Pool, create_pool
from shared.schema.service_schema import ServiceSchema

log = structlog.get_logger(__name__)
# Alembic narrates every run at INFO ("Context impl PostgresqlImpl." …); the runner logs
# one line of its own per migration instead
logging.getLogger("alembic").setLevel(logging.WARNING)

LOCK = "SELECT pg_advisory_xact_lock(hashtext('miiwrap-migrate:' || current_schema()))"

# Alembic keeps its running migration in module globals (`alembic.op`, `alembic.context`),
# so one process runs one migration at a time, whatever the schema (tests start several
# services in one event loop); replicas in other processes take turns on the lock above.
_IN_PROCESS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _process_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _IN_PROCESS.get(loop)
    if lock is None:
        lock = _IN_PROCESS[loop] = asyncio.Lock()
    return lock


@dataclass(frozen=True)
class Migrated:
    before: str | None  # None: the schema had no version table (empty, or made before)
    after: str


async def current_revision(conn: Connection, db_schema: str) -> str | None:
    """The schema's revision, from the version table in the schema itself (named, so a
    version table of some other application in `public` is never read instead)."""
    try:
        revision: str | None = await conn.fetchval(
            f'SELECT version_num FROM "{db_schema}".alembic_version'
        )
    except asyncpg.UndefinedTableError:
        return None
    return revision


async def migrate(settings: ServiceSettings, schema: ServiceSchema, pool: Pool) -> Migrated:
    """Upgrade `settings.db_schema` to the newest revision (a no-op when it is there)."""
    async with pool.acquire() as conn:
        before = await current_revision(conn, settings.db_schema)
    if before == schema.head:
        return Migrated(before=before, after=before)
    if before is not None and not schema.knows(before):
        # a newer release migrated it (this one is a rollback): its revisions add, they
        # do not break what this release reads, so start rather than refuse
        log.warning(
            "schema_ahead_of_release", schema=settings.db_schema, revision=before, head=schema.head
        )
        return Migrated(before=before, after=before)
    await _with_alembic(settings, lambda connection: _upgrade(connection, schema))
    log.info(
        "schema_migrated",
        service=schema.service,
        schema=settings.db_schema,
        before=before,
        after=schema.head,
    )
    return Migrated(before=before, after=schema.head)


async def differences(settings: ServiceSettings, schema: ServiceSchema) -> list[Any]:
    """What Alembic's autogenerate finds between the schema in the database and the
    models (tables, columns, types, nullability, defaults, keys, indexes): [] when equal."""
    found: list[Any] = []

    def compare(connection: sqlalchemy.Connection) -> None:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True})
        found.extend(compare_metadata(context, schema.metadata))

    await _with_alembic(settings, compare)
    return found


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
        async with _process_lock(), engine.begin() as connection:
            await connection.exec_driver_sql(LOCK)
            await connection.run_sync(work)
    finally:
        await engine.dispose()


def _upgrade(connection: sqlalchemy.Connection, schema: ServiceSchema) -> None:
    """`alembic upgrade head`, with the revisions parsed once per process (the schema
    keeps its script directory) instead of on every start."""
    script = schema.script

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("head", revision)

    config = schema.config()
    with EnvironmentContext(config, script, fn=steps, destination_rev="head") as environment:
        environment.configure(connection=connection, target_metadata=schema.metadata)
        with environment.begin_transaction():
            environment.run_migrations()


def _revision(connection: sqlalchemy.Connection, schema: ServiceSchema, message: str) -> Path:
    config = schema.config()
    config.attributes["connection"] = connection
    script = command.revision(
        config, message=message, autogenerate=True, rev_id=f"{int(schema.head) + 1:04d}"
    )
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic wrote no single revision")
    return Path(script.path)
