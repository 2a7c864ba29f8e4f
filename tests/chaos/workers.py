"""`make workers-check`: the certification service as `uvicorn --workers 2`, on real
PostgreSQL and NATS, shares its consumer groups between its worker processes.

It checks, printing what it saw:

1. both workers become members and hold half of the partitions each (for the three
   consumer groups), and exactly one of them holds the relay lease;
2. after kill -9 of one worker, its partitions are taken over within the lease (by the
   survivor, then shared with the worker uvicorn starts in its place), never held by
   two at once (one row per partition, by construction);
3. evidence published after that is folded: every upstream event taken in once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter

import asyncpg
import nats

from tests.certification.upstream import UpstreamHistory, publish
from tests.chaos.stack import SUBJECT_ROOT, Stack, schema_of

PARTITIONS = 4
LEASE_SECONDS = 3.0


async def claims(stack: Stack) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(stack.database_url)
    try:
        await conn.execute(f"SET search_path TO {schema_of('certification')}")
        return await conn.fetch(
            "SELECT consumer, partition, holder FROM partition_claims"
            " WHERE expires_at > clock_timestamp() ORDER BY consumer, partition"
        )
    finally:
        await conn.close()


async def scalar(stack: Stack, query: str) -> int:
    conn = await asyncpg.connect(stack.database_url)
    try:
        await conn.execute(f"SET search_path TO {schema_of('certification')}")
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


def pid_of(holder: str) -> int:
    return int(holder.split("/")[1])  # host/pid/random


async def wait_for_split(stack: Stack, timeout: float, gone: int = 0) -> dict[str, int]:
    """Until every partition of every group is held and two workers (not the `gone`
    one) hold half each."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await claims(stack)
        per_holder = Counter(str(r["holder"]) for r in rows)
        halves = sorted(per_holder.values()) == [PARTITIONS // 2] * 2
        if len(rows) == PARTITIONS and halves and gone not in map(pid_of, per_holder):
            return dict(per_holder)
        if time.monotonic() > deadline:
            raise AssertionError(f"partitions not split between two workers: {per_holder}")
        await asyncio.sleep(0.3)


async def check() -> None:
    stack = Stack(workers=2)
    os.environ["CERTIFICATION_PARTITION_LEASE_SECONDS"] = str(LEASE_SECONDS)
    began = time.monotonic()
    stack.start_servers()
    try:
        [replica] = stack.replicas["certification"]
        stack.start_replica(replica)
        stack.wait_ready([replica], 90)
        holders = await wait_for_split(stack, 30)
        leaders = await scalar(stack, "SELECT count(*) FROM relay_leases")
        assert leaders == 1, leaders
        print(f"1. two workers split {PARTITIONS} partitions: {holders}; one relay lease")

        victim = pid_of(next(iter(holders)))
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        after = await wait_for_split(stack, 60, gone=victim)
        print(
            f"2. worker {victim} killed; partitions split again in "
            f"{time.monotonic() - killed_at:.1f}s: {after}"
        )

        client = await nats.connect(stack.nats.url)
        try:
            histories = [
                UpstreamHistory.certified_facilitator("workers-agency", f"pr-{n}")
                for n in range(20)
            ]
            sent = await publish(client, SUBJECT_ROOT, [e for h in histories for e in h.events])
        finally:
            await client.close()
        deadline = time.monotonic() + 60
        while (taken := await scalar(stack, "SELECT count(*) FROM consumer_inbox")) < sent:
            assert time.monotonic() < deadline, f"{taken} of {sent} events taken in"
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)
        taken = await scalar(stack, "SELECT count(*) FROM consumer_inbox")
        assert taken == sent, (taken, sent)
        print(f"3. {sent} upstream events taken in once each")
        print(f"workers-check passed in {time.monotonic() - began:.0f}s")
    finally:
        stack.stop()


if __name__ == "__main__":
    try:
        asyncio.run(check())
    except AssertionError as failure:
        print(f"workers-check FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
