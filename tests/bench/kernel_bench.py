"""Kernel benchmark: what the event store, relay and consumer cost over the raw servers.

Prints each figure beside the raw ceiling measured in the same run on the same servers:
- append: events/s through `EventStore.append` (one event per transaction, 8 writers)
  vs plain INSERTs of the same rows into a bare table;
- relay: events/s from the store to JetStream acks vs `publish_async` of the same
  payloads straight to JetStream;
- end to end: latency from an append's commit to its consumer's projection commit
  (LISTEN/NOTIFY-woken relay, pull consumer), p50/p95.

`make bench` runs it; nothing here is asserted — the figures are for reading.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats

from shared.consumer import EventConsumer, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.events import PendingEvent
from shared.servers import NatsServer, PostgresServer
from shared.testing.waiting import eventually
from tests.kernel.probe import AmountRecorded, Probe, ProbeSettings, open_probe

EVENTS = 5000
WRITERS = 8


def pending(i: int) -> PendingEvent:
    return PendingEvent(
        event=AmountRecorded(amount=i),
        agency_id="bench",
        subject=f"p{i % 50}",
        occurred_at=datetime.now(UTC),
    )


async def bench_append(probe: Probe) -> tuple[float, float]:
    async def writer(w: int) -> None:
        for i in range(w, EVENTS, WRITERS):
            async with probe.store.transaction() as conn:
                await probe.store.append(conn, f"s{i}", [pending(i)], expected_version=0)

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    store_rate = EVENTS / (time.perf_counter() - started)

    async with probe.pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE raw_rows (id uuid PRIMARY KEY, stream text, data jsonb, at timestamptz)"
        )

    async def raw_writer(w: int) -> None:
        for i in range(w, EVENTS, WRITERS):
            async with probe.pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO raw_rows VALUES ($1, $2, $3, now())",
                    uuid.uuid4(),
                    f"s{i}",
                    {"amount": i},
                )

    started = time.perf_counter()
    await asyncio.gather(*(raw_writer(w) for w in range(WRITERS)))
    raw_rate = EVENTS / (time.perf_counter() - started)
    return store_rate, raw_rate


async def bench_relay(probe: Probe, nats_url: str) -> tuple[float, float]:
    probe.relay.batch_size = 500
    started = time.perf_counter()
    while await probe.relay.publish_pending():
        pass
    relay_rate = probe.relay.published / (time.perf_counter() - started)

    client = await nats.connect(nats_url)
    js = client.jetstream()
    await js.add_stream(name="RAW_BENCH", subjects=["rawbench.>"])
    payload = pending(1)
    body = CloudEvent(
        id=str(payload.event_id),
        source="/bench",
        type="bench",
        time=payload.occurred_at,
        agencyid="bench",
        data={"amount": 1},
    ).to_json()
    started = time.perf_counter()
    for start in range(0, EVENTS, 500):
        futures = [
            await js.publish_async("rawbench.x", body, headers={"Nats-Msg-Id": str(uuid.uuid4())})
            for _ in range(start, min(start + 500, EVENTS))
        ]
        await asyncio.gather(*futures)
    raw_rate = EVENTS / (time.perf_counter() - started)
    await client.close()
    return relay_rate, raw_rate


async def bench_latency(probe: Probe, samples: int = 200) -> tuple[float, float]:
    committed: dict[str, float] = {}
    latencies: list[float] = []

    async def record(conn: Connection, event: CloudEvent) -> None:
        if event.id in committed:
            latencies.append(time.perf_counter() - committed[event.id])

    consumer = EventConsumer(
        pool=probe.pool,
        nats=probe.nats,
        handler=record,
        fetch_timeout=0.05,
        subscription=Subscription(
            durable="bench-latency",
            stream=probe.settings.stream_name,
            subjects=[f"{probe.settings.subject_root}.probe.>"],
        ),
    )
    probe.run(probe.relay.run())
    probe.run(consumer.run())
    backlog = probe.relay.published  # the earlier phases' events, replayed first

    async def caught_up() -> bool:
        return consumer.processed >= backlog

    await eventually(caught_up, timeout=120)
    for i in range(samples):
        event = pending(i)
        async with probe.store.transaction() as conn:
            await probe.store.append(conn, f"lat{i}", [event], expected_version=0)
        committed[str(event.event_id)] = time.perf_counter()
        await asyncio.sleep(0.01)

    async def all_measured() -> bool:
        return len(latencies) >= samples

    await eventually(all_measured, timeout=30)
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def start_servers(root: Path) -> tuple[PostgresServer, NatsServer]:
    root.chmod(0o755)
    postgres = PostgresServer(root / "pgdata")
    postgres.start()  # durable settings, as in production
    postgres.create_database("bench")
    server = NatsServer(root / "nats")
    server.start()
    return postgres, server


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="miiwrap-bench-") as tmp:
        postgres, server = start_servers(Path(tmp))
        try:
            settings = ProbeSettings(
                database_url=postgres.dsn("bench"),
                nats_url=server.url,
                db_schema="bench",
                subject_root="bench",
            )
            pool, connection = await open_probe(settings)
            await connection.wait_connected(10)
            probe = Probe(settings, pool, connection)
            append, raw_insert = await bench_append(probe)
            relay, raw_publish = await bench_relay(probe, server.url)
            p50, p95 = await bench_latency(probe)
            await probe.stop_tasks()
            await connection.close()
            await pool.close()
        finally:
            server.stop()
            postgres.stop()
    print(
        f"append   {append:8.0f} events/s   raw INSERT ceiling   {raw_insert:8.0f} rows/s"
        f"   ({append / raw_insert:.0%} of ceiling; {WRITERS} writers, 1 event per commit)"
    )
    print(
        f"relay    {relay:8.0f} events/s   raw JetStream ceiling {raw_publish:8.0f} msgs/s"
        f"   ({relay / raw_publish:.0%} of ceiling; batches of 500)"
    )
    print(f"latency  append commit → consumer projection: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
