"""PostgreSQL connection pool per service, and its schema (created if missing).

The tables in it are migrated by `shared.schema.runner` (Alembic revisions per service).

Every service lives in its own schema (`search_path` is set on each connection), so the
same SQL serves production (`learning`, `fidelity`, …) and tests (one schema per test).

Faults: a database that is not up yet at start-up is retried with backoff; a connection
that breaks while being returned to the pool (a restart after the commit went through)
never turns a committed write into an error; `is_unavailable` names the errors that mean
"the database is away", which the API answers as 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any, TypeAlias

import asyncpg
import structlog
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy
from pydantic_core import to_json

from shared.config import ServiceSettings

log = structlog.get_logger(__name__)

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
# what `pool.acquire()` yields and what handlers receive: either works the same way
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

# errors that mean the database (or the way to it) is away, not that the request is wrong
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx: connection lost, refused, rejected
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: shutdown, restart, cannot connect
    asyncpg.exceptions.InsufficientResourcesError,  # 53xxx: too many connections, disk full
    asyncpg.InterfaceError,  # the client side of a lost connection
    # a connection broken mid-operation ("cannot switch to state …; another operation is
    # in progress"), seen while PostgreSQL restarts
    asyncpg.InternalClientError,
    OSError,  # refused, reset, unreachable
    TimeoutError,  # a connect or acquire that did not finish in time
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means "the database is unreachable right now" (retry later)."""
    return isinstance(error, UNAVAILABLE_ERRORS)


class FairAcquire(PoolAcquireContext):
    """`async with pool.acquire()`, first come first served.

    asyncpg hands out connections through an `asyncio.Queue`, which lets a newcomer take
    a connection just returned before the waiter that was woken for it runs; that waiter
    then queues again at the back. With 50 requests on 10 connections some requests lost
    their turn again and again: the 99th-percentile wait was several times the median. A
    FIFO semaphore of the pool's size in front of it gives the turns in order."""

    __slots__ = ()

    async def __aenter__(self) -> Any:
        turns = _turns_of(self.pool)
        if turns.locked():
            started = time.monotonic()
            # the caller's timeout bounds the wait for a turn and for the connection together
            async with asyncio.timeout(self.timeout):
                await turns.acquire()
            if self.timeout is not None:
                self.timeout = max(self.timeout - (time.monotonic() - started), 0.001)
        else:  # a free turn is taken at once: no wait to bound (nor a timer to arm)
            await turns.acquire()
        try:
            return await super().__aenter__()
        except BaseException:
            turns.release()
            raise

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await super().__aexit__(*exc_info)
        finally:
            _turns_of(self.pool).release()


def _turns_of(pool: Any) -> asyncio.Semaphore:
    turns: asyncio.Semaphore | None = pool.turns
    if turns is None:  # made on first use: asyncio.Semaphore binds to the running loop
        turns = pool.turns = asyncio.Semaphore(pool.get_max_size())
    return turns


class ServicePool(asyncpg.Pool):
    """An asyncpg pool that gives connections in order of asking (`FairAcquire`) and
    whose `release` never raises an I/O error.

    asyncpg resets a connection when it is returned; if the server went away meanwhile
    (a restart right after a COMMIT went through), the reset fails, the connection is
    terminated and its slot returned, and the error is raised from the `async with`,
    turning a committed write into a 500. The slot is back either way, so the error is
    only logged here.
    """

    turns: asyncio.Semaphore | None = None

    def acquire(self, *, timeout: float | None = None) -> Any:
        return FairAcquire(self, timeout)

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        try:
            await super().release(connection, timeout=timeout)
        except Exception as error:
            log.warning("pool_release_failed", error=repr(error))


async def _keep_session(_conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """What a connection returned to the pool needs beyond asyncpg's own clean-up: nothing.

    asyncpg rolls back a transaction left open and drops listeners itself; its default
    reset then sends one more query (unlock advisory locks, close cursors, UNLISTEN,
    RESET ALL) on every release, a round trip per request. Pooled connections hold no
    such session state here: locks are transaction-scoped (`pg_advisory_xact_lock`),
    cursors live inside transactions, LISTEN and the relay's lease use a connection of
    their own (`connect`), and settings are fixed at connect (`server_settings`).
    """


def _json_text(value: Any) -> str:
    """A JSON parameter's text, encoded by pydantic-core: the same values as `json.dumps`
    at about twice its speed (an event's payload, an import line's ~50 item scores)."""
    return to_json(value).decode()


async def _init_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_json_text, decoder=json.loads, schema="pg_catalog"
        )


def _server_settings(settings: ServiceSettings) -> dict[str, str]:
    return {"search_path": f"{settings.db_schema},public"}


async def create_pool(settings: ServiceSettings, **overrides: Any) -> Pool:
    """A pool whose connections see the service schema first, then `public`.

    Retries with backoff while the database is unreachable, up to
    `settings.db_startup_timeout_seconds`.
    """
    deadline = time.monotonic() + settings.db_startup_timeout_seconds
    delay = 0.2
    while True:
        try:
            await ensure_schema(settings.database_dsn, settings.db_schema)
            options: dict[str, Any] = {
                "min_size": settings.db_pool_min,
                "max_size": settings.db_pool_max,
                "server_settings": _server_settings(settings),
                "init": _init_connection,
                "reset": _keep_session,
                "timeout": settings.db_connect_timeout_seconds,
                "max_queries": 50000,
                "max_inactive_connection_lifetime": 300.0,
                "loop": None,
                "connection_class": asyncpg.Connection,
                "record_class": asyncpg.Record,
            }
            options.update(overrides)
            pool: Pool = await ServicePool(settings.database_dsn, **options)
            return pool
        except Exception as error:
            if not is_unavailable(error) or time.monotonic() + delay > deadline:
                raise
            log.warning(
                "database_unreachable_at_startup", error=repr(error), retry_in_seconds=delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def connect(settings: ServiceSettings) -> asyncpg.Connection[asyncpg.Record]:
    """A connection of its own, outside the pool (the relay's LISTEN and lease session)."""
    conn: asyncpg.Connection[asyncpg.Record] = await asyncpg.connect(
        settings.database_dsn,
        server_settings=_server_settings(settings),
        timeout=settings.db_connect_timeout_seconds,
    )
    await _init_connection(conn)
    return conn


async def ensure_schema(dsn: str, schema: str) -> None:
    """Create the schema unless it exists; replicas starting together take turns."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('miiwrap-schema:' || $1))", schema
            )
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


async def apply_migrations(pool: Pool, name: str, statements: Sequence[str]) -> None:
    """Run idempotent DDL under an advisory lock: only a test probe's own tables (a
    service's tables are Alembic revisions, shared/schema)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))", name)
        for statement in statements:
            await conn.execute(statement)
