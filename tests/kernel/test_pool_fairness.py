"""The service pool gives its connections in the order they were asked for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from shared.database import Pool, create_pool
from tests.kernel.probe import ProbeSettings


async def ask(pool: Pool, name: str, asked: list[str], served: list[str], hops: int = 0) -> None:
    for _ in range(hops):  # arrive a few loop turns later
        await asyncio.sleep(0)
    asked.append(name)
    async with pool.acquire() as conn:
        served.append(name)
        await conn.fetchval("SELECT 1")


async def test_a_newcomer_does_not_take_a_returned_connection_from_those_waiting(
    settings_for: Callable[..., Any],
) -> None:
    pool = await create_pool(settings_for(ProbeSettings), min_size=1, max_size=1)
    asked: list[str] = []
    served: list[str] = []
    try:
        holder = pool.acquire()
        await holder.__aenter__()
        waiting = [asyncio.create_task(ask(pool, f"w{n}", asked, served)) for n in range(3)]
        await asyncio.sleep(0.05)  # all three are waiting for the one connection
        # requests arriving while the connection comes back, one loop turn apart: asyncpg's
        # own queue hands it to whichever asks between its return and the woken waiter
        newcomers = [
            asyncio.create_task(ask(pool, f"n{hops}", asked, served, hops)) for hops in range(8)
        ]
        await holder.__aexit__(None, None, None)
        await asyncio.wait_for(asyncio.gather(*waiting, *newcomers), 10)
        assert served == asked
        conn = await pool.acquire()  # the await form still lends and takes back
        assert await conn.fetchval("SELECT 2") == 2
        await pool.release(conn)
    finally:
        await pool.close()


async def second_connection(pool: Pool) -> None:
    async with pool.acquire(timeout=0.2):
        raise AssertionError("a pool of one lent a second connection")


async def test_an_acquire_timeout_still_bounds_the_wait_for_a_turn(
    settings_for: Callable[..., Any],
) -> None:
    pool = await create_pool(settings_for(ProbeSettings), min_size=1, max_size=1)
    try:
        async with pool.acquire():
            attempt = asyncio.create_task(second_connection(pool))
            done, _ = await asyncio.wait({attempt}, timeout=10)  # guards the test only
            assert attempt in done, "the acquire's timeout did not bound its wait for a turn"
            assert isinstance(attempt.exception(), TimeoutError)
        async with pool.acquire(timeout=1) as conn:  # the turn given up is not lost
            assert await conn.fetchval("SELECT 3") == 3
    finally:
        await pool.close()


async def test_a_returned_connection_is_reused_clean_and_one_left_in_a_transaction_is_rolled_back(
    settings_for: Callable[..., Any],
) -> None:
    pool = await create_pool(settings_for(ProbeSettings), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            first = await conn.fetchval("SELECT pg_backend_pid()")
        async with pool.acquire() as conn:  # returned at once: the same session, reusable
            assert await conn.fetchval("SELECT pg_backend_pid()") == first
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMP TABLE left_open (n int)")
        async with pool.acquire() as conn:  # returned by asyncpg's own path: rolled back
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
        assert pool.get_idle_size() == 1
    finally:
        await pool.close()
