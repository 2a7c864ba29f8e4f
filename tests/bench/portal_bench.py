"""How fast the portal draws its pages for an agency of 500 practitioners.

Real servers started here (PostgreSQL, NATS, the four services and the portal over
HTTP on loopback), 500 practitioners registered through certification's API in teams of
20, then each page requested one after another as a signed-in person would: the time
from request to the last byte of HTML, p50 and p95 (target: p95 < 300 ms).

`python -m tests.bench.portal_bench [--practitioners N] [--requests N]`; nothing is
asserted (a shared machine: read the figures beside each other).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from services.portal.bootstrap import create_portal_app
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer
from shared.testing.served import serving
from tests.portal.stack import portal_settings, service_settings, services_served

DATABASE = "bench"
AGENCY = "bench-agency"
TEAM_SIZE = 20
TARGET_P95_MS = 300.0


async def register(http: httpx.AsyncClient, url: str, headers: dict[str, str], count: int) -> None:
    start = (date.today() - timedelta(days=200)).isoformat()
    gate = asyncio.Semaphore(16)

    async def one(n: int) -> None:
        body = {
            "practitioner_id": f"prac-{n:04d}",
            "role": "facilitator",
            "program_start": start,
            "coach_id": f"coach-{n // TEAM_SIZE:02d}",
            "supervisor_id": f"sup-{n // TEAM_SIZE:02d}",
        }
        async with gate:
            answer = await http.post(f"{url}/practitioners", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text

    await asyncio.gather(*(one(n) for n in range(count)))


async def signed_in(portal_url: str, identity: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=portal_url, timeout=60)
    page = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = await client.post("/signin", data={"csrf_token": token.group(1), "identity": identity})
    assert answer.status_code == 303, answer.text
    return client


async def timings(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    await client.get(path)  # warm
    found = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = await client.get(path)
        found.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(practitioners: int, requests: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-portal-bench-"))
    os.chmod(root, 0o755)
    pg, nats_server = PostgresServer(root / "pgdata"), NatsServer(root / "nats")
    pg.start(fast_unsafe=True)
    pg.create_database(DATABASE)
    nats_server.start()
    rows = []
    try:
        settings = service_settings(pg.dsn(DATABASE), nats_server.url, "portalbench")
        async with services_served(settings) as urls:
            portal = create_portal_app(portal_settings(urls, AGENCY))
            async with serving(portal) as portal_url, httpx.AsyncClient(timeout=60) as http:
                headers = bearer(settings["certification"], AGENCY, "admin", subject="admin-ada")
                started = time.perf_counter()
                await register(http, urls["certification"], headers, practitioners)
                print(f"registered {practitioners} in {time.perf_counter() - started:.1f}s")
                admin = await signed_in(portal_url, "admin-ada")
                supervisor = await signed_in(portal_url, "sup-sam")
                pages = [
                    (admin, "agency board (admin)", "/board"),
                    (admin, "board, one team", "/board?team=sup-03"),
                    (admin, "board as CSV", "/board.csv"),
                    (admin, "practitioner", "/practitioners/prac-0042"),
                    (admin, "admin roster", "/admin"),
                    (supervisor, "agency board (supervisor)", "/board"),
                ]
                for client, label, path in pages:
                    found = await timings(client, path, requests)
                    rows.append((label, path, statistics.median(found), percentile(found, 0.95)))
                await admin.aclose()
                await supervisor.aclose()
    finally:
        nats_server.stop()
        pg.stop()
    print(f"\nportal page render, agency of {practitioners} practitioners ({requests} requests)\n")
    print("| page | path | p50 ms | p95 ms | p95 < 300 ms |")
    print("|---|---|---|---|---|")
    for label, path, p50, p95 in rows:
        verdict = "yes" if p95 < TARGET_P95_MS else "no"
        print(f"| {label} | `{path}` | {p50:.0f} | {p95:.0f} | {verdict} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=500)
    parser.add_argument("--requests", type=int, default=40)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.practitioners, arguments.requests))
