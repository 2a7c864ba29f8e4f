"""What a NOTIFY in each write transaction costs PostgreSQL (why shared/commit_wake.py).

A durable PostgreSQL of its own (fsync on, as the bench's), four sessions LISTENing on
four channels as the four services' relays do, and `--clients` writers each running
`INSERT` + `COMMIT` in a closed loop: without, then with `pg_notify` on one channel in
each transaction, `--rounds` times. Printed: transactions per second and PostgreSQL's
CPU per transaction (all its processes, /proc).

`python -m tests.bench.notify_cost [--clients 16] [--seconds 3] [--rounds 3]`
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from shared.servers import PostgresServer
from tests.bench.load import run_on_uvloop
from tests.bench.processes import postgres_cpu_of

CHANNELS = ("written", "other-1", "other-2", "other-3")
PLAIN = "INSERT INTO written (note) VALUES ('x')"
NOTIFYING = f"{PLAIN}; SELECT pg_notify('written', '')"


async def writer(pool: Any, sql: str, until: float, done: list[int]) -> None:
    while time.monotonic() < until:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(sql)
        done[0] += 1


async def run(arguments: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="notify-cost-"))
    server = PostgresServer(root / "pg")
    server.start()
    listeners: list[Any] = []
    try:
        pool = await asyncpg.create_pool(
            server.dsn(), min_size=arguments.clients, max_size=arguments.clients
        )
        await pool.execute("CREATE TABLE written (id bigserial PRIMARY KEY, note text)")
        for channel in CHANNELS:
            listener = await asyncpg.connect(server.dsn())
            await listener.add_listener(channel, lambda *_: None)
            listeners.append(listener)
        for _ in range(arguments.rounds):
            for name, sql in (("no NOTIFY", PLAIN), ("a NOTIFY each", NOTIFYING)):
                done = [0]
                before = postgres_cpu_of(server.data_dir)
                until = time.monotonic() + arguments.seconds
                await asyncio.gather(
                    *(writer(pool, sql, until, done) for _ in range(arguments.clients))
                )
                cpu = postgres_cpu_of(server.data_dir) - before
                print(
                    f"{name:14s} {done[0] / arguments.seconds:7.0f} transactions/s,"
                    f" PostgreSQL CPU {cpu / max(done[0], 1) * 1000:.3f} ms each",
                    flush=True,
                )
        await pool.close()
    finally:
        for listener in listeners:
            await listener.close()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    run_on_uvloop(run(parser.parse_args()))


if __name__ == "__main__":
    main()
