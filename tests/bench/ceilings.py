"""The raw ceilings, measured on the benchmark's own servers in the same run.

- PostgreSQL: batched INSERTs (one multi-row INSERT of `batch` rows per transaction);
- JetStream: `publish_async` in windows of 500 awaited acks, then an ordered consumer
  reading the same messages back;
- REST: the bare FastAPI + asyncpg endpoint (tests/bench/bare_endpoint.py) under the
  same closed-loop clients as the services.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import nats

from tests.bench.http_client import KeepAliveClient
from tests.bench.load import Outcome, closed_loop

RAW_STREAM = "BENCH_RAW"
RAW_SUBJECT = "benchraw.events"


def sample_event(n: int) -> dict[str, object]:
    """A CloudEvent-sized body: what the relay publishes for one upstream event."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/miiwrap/fidelity",
        "type": "org.miiwrap.fidelity.observation_recorded.v1",
        "subject": f"p-{n}",
        "time": datetime.now(UTC).isoformat(),
        "agencyid": "bench",
        "datacontenttype": "application/json",
        "data": {
            "practitioner_id": f"p-{n}",
            "observation_id": str(uuid.uuid4()),
            "instrument_key": "team-meeting-observation",
            "total": 86.0,
            "domain_scores": {"engagement": 86, "teamwork": 80, "planning": 90},
        },
    }


async def postgres_batched_insert(dsn: str, rows: int, batch: int = 1000) -> float:
    """Rows per second of multi-row INSERTs, `batch` rows a transaction."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_rows (id uuid PRIMARY KEY, stream text,"
            " data jsonb, at timestamptz NOT NULL DEFAULT now())"
        )
        body = json.dumps(sample_event(0)["data"])
        started = time.perf_counter()
        for start in range(0, rows, batch):
            count = min(batch, rows - start)
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO raw_rows (id, stream, data) SELECT * FROM"
                    " unnest($1::uuid[], $2::text[], $3::jsonb[])",
                    [uuid.uuid4() for _ in range(count)],
                    [f"s{start + i}" for i in range(count)],
                    [body] * count,
                )
        return rows / (time.perf_counter() - started)
    finally:
        await conn.close()


async def jetstream_publish_and_read(url: str, messages: int) -> tuple[float, float]:
    """(publish_async msgs/s, ordered consumer read msgs/s) of `messages` CloudEvents."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await js.add_stream(name=RAW_STREAM, subjects=[f"{RAW_SUBJECT}.>"])
        bodies = [json.dumps(sample_event(n)).encode() for n in range(min(messages, 1000))]
        started = time.perf_counter()
        for start in range(0, messages, 500):
            futures = [
                await js.publish_async(
                    f"{RAW_SUBJECT}.x",
                    bodies[n % len(bodies)],
                    headers={"Nats-Msg-Id": str(uuid.uuid4())},
                )
                for n in range(start, min(start + 500, messages))
            ]
            await asyncio.gather(*futures)
        publish_rate = messages / (time.perf_counter() - started)

        done = asyncio.Event()
        got = 0

        async def on_message(_msg: object) -> None:
            nonlocal got
            got += 1
            if got >= messages:
                done.set()

        started = time.perf_counter()
        sub = await js.subscribe(
            f"{RAW_SUBJECT}.>",
            ordered_consumer=True,
            cb=on_message,  # type: ignore[arg-type]
        )
        await asyncio.wait_for(done.wait(), 300)
        read_rate = messages / (time.perf_counter() - started)
        await sub.unsubscribe()
        await js.delete_stream(RAW_STREAM)
        return publish_rate, read_rate
    finally:
        await client.close()


async def bare_endpoint(
    url: str, clients: int, seconds: float, cpu: Callable[[], float] | None = None
) -> Outcome:
    """Writes per second of the bare endpoint, one row per request."""

    async def write(http: KeepAliveClient, worker: int, step: int) -> bool:
        body = {"id": str(uuid.uuid4()), "practitioner_id": f"p-{worker}", "data": {"step": step}}
        answer = await http.post(f"{url}/rows", json=body)
        return answer.status_code == 201

    return await closed_loop(clients, seconds, write, cpu)
