"""PostgreSQL's own log of what a stretch of load ran: a logging setting switched on for
the stretch only, and the log's text written meanwhile (each line `[pid] application …`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from tests.bench.processes import BenchStack

T = TypeVar("T")


async def logged_while(
    stack: BenchStack, setting: str, value: str, run: Callable[[], Awaitable[T]]
) -> tuple[T, str]:
    """`run`'s result and the log PostgreSQL wrote while `setting` was `value` during it
    (half a second after it too: the relay's and consumers' statements for its last
    writes), the setting reset afterwards."""
    admin = await asyncpg.connect(stack.database_url)
    log_path = stack.postgres.data_dir.parent / f"{stack.postgres.data_dir.name}.log"
    try:
        await admin.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
        await admin.execute("ALTER SYSTEM SET log_line_prefix = '[%p] %a '")
        await admin.execute("SELECT pg_reload_conf()")
        await asyncio.sleep(0.5)
        start = log_path.stat().st_size
        result = await run()
        await asyncio.sleep(0.5)
        await admin.execute(f"ALTER SYSTEM RESET {setting}")
        await admin.execute("ALTER SYSTEM RESET log_line_prefix")
        await admin.execute("SELECT pg_reload_conf()")
    finally:
        await admin.close()
    with log_path.open("rb") as log:
        log.seek(start)
        return result, log.read().decode("utf-8", "replace")
