"""How fast does certification rebuild its projections? Beside a raw ordered read.

On one pair of real servers started here (a shared machine: read ratios): a backlog
of upstream histories is taken in by certification, then its projections are rebuilt
from its own log (`handlers/rebuild.py`: replay, then evaluate everyone) and timed;
the ceiling is an ordered JetStream read of the same upstream backlog.

Beside them, `GET …/certification` latency at 50 concurrent clients (in process, over
ASGI): as of today (the stored state) and as of yesterday (the pure fold).

`python -m tests.bench.rebuild_bench [--practitioners N] [--rounds R]`; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.certification.handlers.rebuild import rebuild_agency
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer, running
from tests.bench.intake_bench import histories, upstream_backlog
from tests.certification.upstream import TODAY

DATABASE = "bench"
AGENCY = "bench"


READERS = 50  # --readers


async def read_latencies(
    client: httpx.AsyncClient, headers: dict[str, str], people: list[str], as_of: str | None
) -> tuple[float, float]:
    """(p50, p99) in ms of GET …/certification, READERS clients reading every practitioner."""
    latencies: list[float] = []
    params = {"as_of": as_of} if as_of else {}

    async def reader(offset: int) -> None:
        for i in range(len(people)):
            person = people[(offset + i) % len(people)]
            started = time.perf_counter()
            response = await client.get(
                f"/practitioners/{person}/certification", params=params, headers=headers
            )
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text

    await asyncio.gather(*(reader(offset) for offset in range(READERS)))
    latencies.sort()
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]


async def rebuild_rates(
    pg: PostgresServer, nats_url: str, practitioners: int, rounds: int
) -> tuple[int, list[float], float, float, dict[str, tuple[float, float]]]:
    """(log events, rebuild events/s per round, intake events/s, ordered read events/s,
    GET latencies by kind)."""
    root = "benchrebuild"
    settings = CertificationSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema="bench_rebuild",
        subject_root=root,
        db_pool_max=10,
    )
    people = histories(AGENCY, practitioners)
    events, ceiling = await upstream_backlog(settings, nats_url, AGENCY, people)
    app = certification_app(settings, SettableClock(TODAY))
    async with running(app) as client:
        runtime = app.state.runtime
        while True:
            async with runtime.pool.acquire() as conn:
                taken = await conn.fetchval("SELECT count(*) FROM consumer_inbox")
                intake = await conn.fetchval(
                    "SELECT extract(epoch FROM max(processed_at) - min(processed_at))::float8"
                    " FROM consumer_inbox"
                )
            if taken >= len(events):
                break
            await asyncio.sleep(0.05)
        rates = []
        replayed = 0
        for _ in range(rounds):
            started = time.perf_counter()
            report = await rebuild_agency(runtime, AGENCY, TODAY)
            rates.append(report.events_replayed / (time.perf_counter() - started))
            replayed = report.events_replayed
        headers = bearer(settings, AGENCY, "admin")
        ids = [history.practitioner_id for history in people][:60]
        yesterday = (TODAY - timedelta(days=1)).isoformat()
        reads = {
            "stored (today)": await read_latencies(client, headers, ids, None),
            "fold (as_of yesterday)": await read_latencies(client, headers, ids, yesterday),
        }
    return replayed, rates, len(events) / max(intake or 0.0, 1e-9), ceiling, reads


async def main(practitioners: int, rounds: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-rebuild-bench-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    server = NatsServer(root / "nats")
    pg.start(fast_unsafe=True)
    pg.create_database(DATABASE)
    server.start()
    try:
        replayed, rates, intake, ceiling, reads = await rebuild_rates(
            pg, server.url, practitioners, rounds
        )
    finally:
        server.stop()
        pg.stop()
    best = max(rates)
    print(f"\ncertification rebuild ({practitioners} practitioners, {replayed} log events)\n")
    print("| figure | events/s | ceiling in the same run | ratio |")
    print("|---|---|---|---|")
    print(
        f"| rebuild (best of {rounds}) | {best:,.0f} | ordered read {ceiling:,.0f} "
        f"| {best / ceiling:.3f} |"
    )
    print(
        f"| intake from a backlog (batch 100) | {intake:,.0f} | ordered read {ceiling:,.0f} "
        f"| {intake / ceiling:.3f} |"
    )
    print(f"\nGET …/certification, {READERS} clients in process (ms)\n")
    print("| read | p50 | p99 |\n|---|---|---|")
    for kind, (p50, p99) in reads.items():
        print(f"| {kind} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--readers", type=int, default=READERS)
    arguments = parser.parse_args()
    READERS = arguments.readers
    asyncio.run(main(arguments.practitioners, arguments.rounds))
