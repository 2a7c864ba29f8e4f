"""Does certification keep up? Its intake rate beside what an upstream service produces.

On one pair of real servers started here (a shared machine: read ratios):
- produce: learning `POST /attempts` per second with 16 concurrent clients (each an
  event and its outbox publish), the fastest of the upstream creates;
- intake: upstream events per second certification takes in from a backlog (stored as
  evidence, practitioners re-evaluated, transitions published), with consumer batches
  of 1 (one transaction per message, as before) and of the configured 100;
- the raw ceiling: an ordered JetStream read of the same backlog.

`python -m tests.bench.intake_bench [--practitioners N]`; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import nats

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.config import stream_name
from shared.envelope import CloudEvent
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer, running, runtime_of
from shared.testing.roster import RosterAnnouncer
from tests.certification.upstream import TODAY, UpstreamHistory, publish
from tests.learning.api_builders import T0, an_attempt, an_enrollment

DATABASE = "bench"
CLIENTS = 16


async def produce_rate(pg: PostgresServer, nats_url: str, seconds: float) -> float:
    settings = LearningSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema="bench_learning",
        subject_root="benchproduce",
        db_pool_max=CLIENTS,
    )
    app = learning_app(settings)
    async with running(app) as client:
        headers = bearer(settings, "bench", "admin")
        people = [f"p{i}" for i in range(CLIENTS)]
        roster_events = await nats.connect(nats_url)
        copy = [runtime_of(app).pool]
        await RosterAnnouncer(roster_events, "benchproduce", "bench", copy).register(*people)
        await roster_events.close()
        for person in people:
            response = await client.post(
                "/enrollments", json=an_enrollment(person), headers=headers
            )
            assert response.status_code in (200, 201), response.text
        done = 0
        deadline = time.perf_counter() + seconds

        async def writer(person: str) -> None:
            nonlocal done
            step = 0
            while time.perf_counter() < deadline:
                step += 1
                body = an_attempt(person, score=0.5, at=T0 + timedelta(minutes=step))
                body["id"] = str(uuid.uuid4())
                response = await client.post("/attempts", json=body, headers=headers)
                if response.status_code in (200, 201):
                    done += 1

        started = time.perf_counter()
        await asyncio.gather(*(writer(p) for p in people))
        return done / (time.perf_counter() - started)


def histories(agency: str, practitioners: int) -> list[UpstreamHistory]:
    return [UpstreamHistory.certified_facilitator(agency, f"pr-{i}") for i in range(practitioners)]


async def upstream_backlog(
    settings: CertificationSettings, nats_url: str, agency: str, people: list[UpstreamHistory]
) -> tuple[list[CloudEvent], float]:
    """Register ``people`` (then stop consuming) and publish their upstream histories as a
    backlog: (the events, events/s of an ordered read of them — the raw ceiling)."""
    app = certification_app(settings, SettableClock(TODAY))
    async with running(app) as client:
        headers = bearer(settings, agency, "admin")
        for history in people:
            await register(client, headers, history.practitioner_id)
    client_nats = await nats.connect(nats_url)
    try:
        events = [event for history in people for event in history.events]
        await publish(client_nats, settings.subject_root, events)
        return events, await ordered_read_rate(client_nats, settings.subject_root, len(events))
    finally:
        await client_nats.close()


async def intake_rate(
    pg: PostgresServer, nats_url: str, batch_size: int, practitioners: int
) -> tuple[int, float, float]:
    """(events, events/s into certification, events/s of an ordered read of them)."""
    root = f"benchintake{batch_size}"
    agency = "bench"
    settings = CertificationSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema=f"bench_certification_{batch_size}",
        subject_root=root,
        consumer_batch_size=batch_size,
        db_pool_max=10,
    )
    people = histories(agency, practitioners)
    events, ceiling = await upstream_backlog(settings, nats_url, agency, people)
    app = certification_app(settings, SettableClock(TODAY))
    async with running(app):
        runtime = app.state.runtime
        while True:
            async with runtime.pool.acquire() as conn:
                taken = await conn.fetchval("SELECT count(*) FROM consumer_inbox")
                # from the first transaction's start to the last one's commit
                elapsed = await conn.fetchval(
                    "SELECT extract(epoch FROM clock_timestamp() - min(processed_at))::float8"
                    " FROM consumer_inbox"
                )
            if taken >= len(events):
                break
            await asyncio.sleep(0.02)
    return len(events), len(events) / elapsed, ceiling


async def register(client: httpx.AsyncClient, headers: dict[str, str], person: str) -> None:
    response = await client.post(
        "/practitioners",
        json={
            "practitioner_id": person,
            "role": "facilitator",
            "program_start": "2025-01-06",
            "coach_id": "coach-1",
            "supervisor_id": "sup-1",
        },
        headers=headers,
    )
    assert response.status_code in (200, 201), response.text


async def ordered_read_rate(client: nats.NATS, root: str, count: int) -> float:
    """Events/s of ordered consumers reading the three upstream streams one after another."""
    js = client.jetstream()
    started = time.perf_counter()
    seen = 0
    for service in ("learning", "coaching", "fidelity"):
        info = await js.stream_info(stream_name(root, service))
        expected = info.state.messages
        done = asyncio.Event()
        got = 0

        async def on_message(
            _msg: object, want: int = expected, done: asyncio.Event = done
        ) -> None:
            nonlocal got
            got += 1
            if got >= want:
                done.set()

        sub = await js.subscribe(
            f"{root}.{service}.>",
            ordered_consumer=True,
            cb=on_message,  # type: ignore[arg-type]
        )
        await asyncio.wait_for(done.wait(), 60)
        await sub.unsubscribe()
        seen += got
    assert seen >= count
    return seen / (time.perf_counter() - started)


async def main(practitioners: int, produce_seconds: float) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-intake-bench-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    server = NatsServer(root / "nats")
    pg.start(fast_unsafe=True)
    pg.create_database(DATABASE)
    server.start()
    try:
        produced = await produce_rate(pg, server.url, produce_seconds)
        rows = []
        for batch_size in (1, 100):
            rows.append((batch_size, *await intake_rate(pg, server.url, batch_size, practitioners)))
    finally:
        server.stop()
        pg.stop()
    print(f"\ncertification intake vs upstream production ({practitioners} practitioners)\n")
    print("| figure | events/s | ceiling in the same run | ratio |")
    print("|---|---|---|---|")
    print(f"| learning POST /attempts, {CLIENTS} clients (produce) | {produced:,.0f} | — | — |")
    for batch_size, events, rate, ceiling in rows:
        print(
            f"| certification intake, batch {batch_size} ({events} events) | {rate:,.0f} "
            f"| ordered read {ceiling:,.0f} | {rate / ceiling:.3f} |"
        )
    best = max(rate for _, _, rate, _ in rows)
    print(f"\nintake / production: {best / produced:.2f}x (batched intake over one producer)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=100)
    parser.add_argument("--produce-seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.practitioners, arguments.produce_seconds))
