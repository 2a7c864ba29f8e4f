"""`make bench-xapi`: Statements per second through the LRS, beside the raw INSERT ceiling.

Starts a real PostgreSQL (durable settings, as `make run`) and NATS JetStream in a
temporary folder, runs the learning service under uvicorn, and POSTs batches of 1, 10
and 100 Statements from a few concurrent LMS clients over HTTP:

- *stored*: Statements on unmapped Activities (the LRS alone: validate, store, index);
- *mapped*: scored Statements on mapped quizzes by enrolled practitioners, each one
  also becoming `assessment_attempted` (and sometimes `module_mastered`) events;
- *raw ceiling*: the same documents inserted with asyncpg as plainly as possible
  (one `INSERT … SELECT FROM unnest` per batch, same concurrency), so the LRS's own
  overhead is visible.

    python -m services.learning.xapi.bench [--statements 2000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats

from shared.auth import issue_token
from shared.roster_client import until_on_roster
from shared.servers import NatsServer, PostgresServer, free_port
from shared.testing.roster import RosterAnnouncer

from .api.protocol import XAPI_VERSION

DATABASE = "miiwrap_bench"
AGENCY = "bench-agency"
LMS = "https://lms.bench.example.org"
SECRET = "bench-jwt-secret-" + uuid.uuid4().hex
PRACTITIONERS = [f"p-{n:03d}" for n in range(200)]
BATCH_SIZES = (1, 10, 100)
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

Send = Callable[[list[dict[str, Any]]], Awaitable[None]]


def a_statement(practitioner: str, activity_id: str, minute: int) -> dict[str, Any]:
    """A Statement as an LMS sends it: account actor, scored result, cmi5-style context."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": LMS, "name": practitioner}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {
                "name": {"en-US": "Module quiz"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "result": {
            "score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100},
            "success": True,
            "duration": "PT12M",
            "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 100},
        },
        "context": {
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": f"{LMS}/courses/miiwrap"}]},
            "platform": "Bench LMS",
        },
        "timestamp": (T0 + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z"),
    }


def statements(total: int, mapped: bool) -> list[dict[str, Any]]:
    built = []
    for n in range(total):
        module = f"M{n % 6 + 1}"
        activity = f"{LMS}/quizzes/{module}" if mapped else f"{LMS}/videos/{n % 50}"
        built.append(a_statement(PRACTITIONERS[n % len(PRACTITIONERS)], activity, n))
    return built


async def rate(items: list[dict[str, Any]], size: int, concurrency: int, send: Send) -> float:
    """Statements per second sending `items` in batches of `size` from parallel clients."""
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for batch in batches:
        queue.put_nowait(batch)

    async def worker() -> None:
        while not queue.empty():
            await send(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(items) / (time.perf_counter() - started)


class LearningService:
    """The learning service under uvicorn, on a free port."""

    def __init__(self, postgres: PostgresServer, nats: NatsServer, log: Path) -> None:
        self.port = free_port()
        self.nats_url = nats.url
        env = dict(os.environ)
        env.update(
            LEARNING_DATABASE_URL=postgres.dsn(DATABASE),
            LEARNING_NATS_URL=nats.url,
            LEARNING_JWT_SECRET=SECRET,
            LEARNING_LAPSE_CHECK_INTERVAL_SECONDS="0",
            LEARNING_DB_POOL_MAX="20",
        )
        command = [sys.executable, "-m", "uvicorn", "--factory"]
        command += ["services.learning.bootstrap:create_service_app", "--port", str(self.port)]
        command += ["--log-level", "warning", "--no-access-log"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self, client: httpx.AsyncClient, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the learning service exited; see its log")
            try:
                if (await client.get(f"{self.url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
        raise TimeoutError("the learning service was not ready in time")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


async def prepare(client: httpx.AsyncClient, url: str, nats_url: str) -> dict[str, str]:
    """A credential, quiz mappings, account names as practitioner ids, the practitioners on
    the roster (certification's events, as certification announces them), enrollments."""
    from services.learning.config import LearningSettings

    token = issue_token(
        LearningSettings(jwt_secret=SECRET), subject="bench", agency_id=AGENCY, roles=["admin"]
    )
    admin = {"Authorization": f"Bearer {token}"}

    async def call(method: str, path: str, body: object = None) -> dict[str, Any]:
        response = await client.request(method, url + path, json=body, headers=admin)
        response.raise_for_status()
        return response.json() if response.content else {}

    issued = await call("POST", "/xapi-credentials", {"partner_name": "Bench LMS"})
    await call("PUT", f"/xapi-mappings/account-home-pages/{_segment(LMS)}")
    for order in range(1, 7):
        body = {"kind": "assessment", "target_id": f"M{order}"}
        await call("PUT", f"/xapi-mappings/activities/{_segment(f'{LMS}/quizzes/M{order}')}", body)
    roster_events = await nats.connect(nats_url)
    await RosterAnnouncer(roster_events, "miiwrap", AGENCY).register(*PRACTITIONERS)
    await roster_events.close()
    for practitioner in PRACTITIONERS:
        body = {"practitioner_id": practitioner, "enrolled_on": "2025-03-01"}
        enrolled = await until_on_roster(
            functools.partial(client.post, url + "/enrollments", json=body, headers=admin)
        )
        enrolled.raise_for_status()
    credential = f"{issued['key']}:{issued['secret']}".encode()
    return {
        "Authorization": "Basic " + base64.b64encode(credential).decode(),
        "X-Experience-API-Version": XAPI_VERSION,
        "Content-Type": "application/json",
    }


def _segment(iri: str) -> str:
    return urllib.parse.quote(iri, safe="")


async def run(total: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory(prefix="miiwrap-bench-") as folder:
        root = Path(folder)
        os.chmod(root, 0o755)  # the PostgreSQL system user must reach its data folder
        postgres, nats = PostgresServer(root / "pgdata"), NatsServer(root / "nats")
        postgres.start()
        nats.start()
        service = None
        try:
            postgres.create_database(DATABASE)
            service = LearningService(postgres, nats, root / "learning.log")
            await measure(service, postgres.dsn(DATABASE), total, concurrency)
        finally:
            if service is not None:
                service.stop()
            nats.stop()
            postgres.stop()


async def measure(service: LearningService, dsn: str, total: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await service.wait_ready(client)
        headers = await prepare(client, service.url, service.nats_url)

        async def post(batch: list[dict[str, Any]]) -> None:
            response = await client.post(
                f"{service.url}/xapi/statements", content=json.dumps(batch), headers=headers
            )
            if response.status_code != 200:
                raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")

        pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
        assert pool is not None
        await pool.execute("CREATE TABLE bench_raw (id uuid PRIMARY KEY, document jsonb NOT NULL)")

        async def raw_insert(batch: list[dict[str, Any]]) -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO bench_raw SELECT * FROM unnest($1::uuid[], $2::jsonb[])",
                    [uuid.UUID(s["id"]) for s in batch],
                    [json.dumps(s) for s in batch],
                )

        await rate(statements(50, mapped=False), 10, concurrency, post)  # warm up
        print(f"\nxAPI LRS throughput: {concurrency} concurrent LMS clients over HTTP; learning")
        print("service under uvicorn; PostgreSQL (fsync on) and NATS JetStream on this machine.\n")
        print(_row("batch", "statements", "stored/s", "mapped/s", "raw INSERT/s", "stored/raw"))
        for size in BATCH_SIZES:
            count = min(total, 400) if size == 1 else total
            stored = await rate(statements(count, mapped=False), size, concurrency, post)
            mapped = await rate(statements(count, mapped=True), size, concurrency, post)
            raw = await rate(statements(count, mapped=False), size, concurrency, raw_insert)
            print(
                _row(
                    size,
                    count,
                    f"{stored:.0f}",
                    f"{mapped:.0f}",
                    f"{raw:.0f}",
                    f"{stored / raw:.0%}",
                )
            )
        await pool.close()
    print("\nstored: Statements on unmapped Activities (validated, stored, indexed).")
    print("mapped: each Statement also becomes assessment_attempted (and module_mastered) events,")
    print("        published to JetStream by the relay.")
    print("raw:    the same documents, one plain INSERT … unnest per batch, no HTTP, no checks.")


def _row(*cells: object) -> str:
    widths = (5, 10, 9, 9, 12, 10)
    return "  ".join(f"{cell!s:>{width}}" for cell, width in zip(cells, widths, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--statements", type=int, default=2000, help="per batch size (at most 400 for size 1)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="parallel LMS clients")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.statements, arguments.concurrency))


if __name__ == "__main__":
    main()
