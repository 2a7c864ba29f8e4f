"""Returning a pooled connection without a task of its own, when nothing can wait.

asyncpg's `Pool.release` runs the holder's release under `asyncio.shield`, so that a
cancelled request still returns its connection: a task made, scheduled and awaited for
every request, whose answer then waits one more turn of the event loop behind every other
ready request. When the connection has no transaction open (nothing to roll back), is not
being cancelled, is not due to be closed (its query count, an expired pool generation)
and is open, the holder's release, with the pool's reset that sends nothing
(shared/database.py), never waits on anything: no cancellation can land part way, so the
shield guards nothing and is left out. Any other connection, and every connection of an
asyncpg whose insides read here differ (an attribute missing), is returned through
asyncpg's own `release`, shield and all.
"""

from __future__ import annotations

from typing import Any

from asyncpg.pool import PoolConnectionProxy


def releases_at_once(connection: Any, pool: Any) -> bool:
    """Whether returning `connection` to `pool` can wait on nothing (module docstring)."""
    if type(connection) is not PoolConnectionProxy:
        return False
    proxy: Any = connection
    try:
        con, holder = proxy._con, proxy._holder
        if con is None or holder._pool is not pool or con.is_closed():
            return False
        protocol = con._protocol
        return not (
            protocol.is_in_transaction()
            or con._top_xact is not None
            or protocol._is_cancelling()
            or protocol.queries_count >= holder._max_queries
            or holder._generation != pool._generation
            or not callable(getattr(con, "_on_release", None))
            or not isinstance(holder._timeout, float | int | None)
        )
    except AttributeError:  # another asyncpg: its own release
        return False


async def release_at_once(connection: Any, pool: Any, timeout: float | None) -> None:
    """What asyncpg's `Pool.release` does, less the shield, for a connection that
    `releases_at_once`: its housekeeping, then the holder's release."""
    pool._check_init()
    connection._con._on_release()
    holder = connection._holder
    await holder.release(holder._timeout if timeout is None else timeout)
