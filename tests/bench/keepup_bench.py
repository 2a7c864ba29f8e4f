"""Does certification keep up with the other three at full load, in one running stack?

The chaos stack (PostgreSQL, NATS, the four services under uvicorn) is loaded by
concurrent writers across learning, coaching and fidelity (and certification's roster)
as fast as they can go, for `--seconds`. Every second it prints the upstream events
stored so far that certification subscribes to (the three services' event stores), its
intake so far (its consumer inbox) and the lag between them; after the writers stop, how
long certification needs to drain the rest. A lag that stays flat under full load means
certification keeps up; one that grows means it does not. Nothing is asserted.

`python -m tests.bench.keepup_bench [--writers 12] [--seconds 30]`
"""

from __future__ import annotations

import argparse
import asyncio
import time

import asyncpg

from services.certification.domain.upstream import READ_WHOLE, TAKEN_IN
from tests.chaos.stack import UPSTREAM, Stack, schema_of
from tests.chaos.workload import Load


async def counts(conn: asyncpg.Connection) -> tuple[int, int]:  # type: ignore[type-arg]
    upstream = 0
    for service in UPSTREAM:
        names = None if service in READ_WHOLE else list(TAKEN_IN[service])
        upstream += await conn.fetchval(  # those certification's consumer receives
            f'SELECT count(*) FROM "{schema_of(service)}".events'
            " WHERE $1::text[] IS NULL OR name = ANY($1::text[])",
            names,
        )
    taken = await conn.fetchval(
        f'SELECT count(*) FROM "{schema_of("certification")}".consumer_inbox'
    )
    return upstream, taken


async def main(writers: int, seconds: float) -> None:
    stack = Stack(replicas_per_service=1)
    stack.start_servers()
    stack.start_services()
    conn = await asyncpg.connect(stack.database_url)
    rows: list[tuple[float, int, int]] = []
    try:
        load = Load(stack, "keepup", writers, pause=0.0)
        started = time.monotonic()
        load.start()
        while (elapsed := time.monotonic() - started) < seconds:
            await asyncio.sleep(1.0)
            upstream, taken = await counts(conn)
            rows.append((elapsed, upstream, taken))
            print(f"t={elapsed:5.1f}s upstream={upstream:6d} certification={taken:6d}", flush=True)
        await load.stop()
        stopped = time.monotonic()
        upstream, taken = await counts(conn)
        while taken < upstream and time.monotonic() - stopped < 300:
            await asyncio.sleep(0.2)
            upstream, taken = await counts(conn)
        drained = time.monotonic() - stopped
    finally:
        await conn.close()
        stack.stop()
    first, last = rows[0], rows[-1]
    span = last[0] - first[0]
    produced = (last[1] - first[1]) / span
    consumed = (last[2] - first[2]) / span
    lags = [up - taken for _, up, taken in rows]
    print(f"\ncertification under full load ({writers} writers, {seconds:.0f} s, 1 replica each)\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| upstream events stored (learning + coaching + fidelity) | {produced:,.0f}/s |")
    print(f"| certification intake | {consumed:,.0f}/s ({consumed / produced:.2f}x) |")
    print(f"| lag at 1 s, middle, end | {lags[0]}, {lags[len(lags) // 2]}, {lags[-1]} events |")
    print(f"| drained after the writers stopped | {drained:.1f} s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.writers, arguments.seconds))
