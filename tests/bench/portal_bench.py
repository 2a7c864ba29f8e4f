"""How fast the portal draws its pages for an agency of 500 practitioners.

Real servers started here (PostgreSQL, NATS, and the four services and the portal each
as its own uvicorn process on loopback, as `make run` runs them), 500 practitioners
registered through certification's API in teams of

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
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx

from shared.auth import signing_settings
from shared.servers import NatsServer, PostgresServer, dies_with_parent, free_port
from shared.testing.apps import bearer
from system.devstack import uvicorn_command, wait_until_ready
from system.topology import SERVICES

DATABASE = "bench"
AGENCY = "bench-agency"
TEAM_SIZE = 20
TARGET_P95_MS = 300.0
SECRET = "portal-bench-secret-of-at-least-thirty-two-bytes"
Row = tuple[str, str, float, float, float, float]


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


async def timings(
    client: httpx.AsyncClient, path: str, requests: int
) -> tuple[list[float], list[float]]:
    """Milliseconds from request to last byte, and the portal's own HTML drawing time."""
    await client.get(path)  # warm
    found, drawing = [], []
    for _ in range(requests):
        started = time.perf_counter()
        answer = await client.get(path)
        found.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
        render = re.search(r"render;dur=([\d.]+)", answer.headers.get("Server-Timing", ""))
        drawing.append(float(render.group(1)) if render else 0.0)
    return found, drawing


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def processes(database_url: str, nats_url: str) -> Iterator[dict[str, int]]:
    """The four services and the portal, each its own uvicorn process (as `make run`)."""
    ports = {name: free_port() for name in (*SERVICES, "portal")}
    env = dict(os.environ)
    for name in SERVICES:
        prefix = name.upper()
        env |= {
            f"{prefix}_DATABASE_URL": database_url,
            f"{prefix}_NATS_URL": nats_url,
            f"{prefix}_DB_SCHEMA": f"pb_{name}",
            f"{prefix}_SUBJECT_ROOT": "portalbench",
            f"{prefix}_JWT_SECRET": SECRET,
            f"{prefix}_ENVIRONMENT": "test",
            f"{prefix}_LOG_LEVEL": "WARNING",
        }
        env[f"PORTAL_{prefix}_URL"] = f"http://127.0.0.1:{ports[name]}"
    env |= {
        "PORTAL_LOCAL_JWT_SECRET": SECRET,
        "PORTAL_LOCAL_AGENCY": AGENCY,
        "PORTAL_SESSION_SECRET": SECRET,
        "PORTAL_ENVIRONMENT": "test",
    }
    children = {
        name: subprocess.Popen(
            uvicorn_command(name, port),
            preexec_fn=dies_with_parent(signal.SIGTERM),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, port in ports.items()
    }
    try:
        wait_until_ready(ports, children, 90)
        yield ports
    finally:
        for child in children.values():
            child.terminate()
        for child in children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()


async def measure(ports: dict[str, int], practitioners: int, requests: int) -> list[Row]:
    certification = f"http://127.0.0.1:{ports['certification']}"
    portal_url = f"http://127.0.0.1:{ports['portal']}"
    signer = signing_settings(SECRET)
    headers = bearer(signer, AGENCY, "admin", subject="demo-admin")
    async with httpx.AsyncClient(timeout=60) as http:
        started = time.perf_counter()
        await register(http, certification, headers, practitioners)
        print(f"registered {practitioners} in {time.perf_counter() - started:.1f}s")
    async with httpx.AsyncClient(timeout=60) as http:
        direct = []
        for _ in range(requests):  # the roster alone, every page, as the board fetches it
            started = time.perf_counter()
            cursor: str | None = None
            while True:
                params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
                page = await http.get(
                    f"{certification}/practitioners", params=params, headers=headers
                )
                cursor = page.json().get("next_cursor")
                if not cursor:
                    break
            direct.append((time.perf_counter() - started) * 1000)
    admin = await signed_in(portal_url, "demo-admin")
    supervisor = await signed_in(portal_url, "demo-supervisor")
    pages = [
        (admin, "agency board (admin)", "/board"),
        (admin, "board, one team", "/board?team=sup-03"),
        (admin, "board as CSV", "/board.csv"),
        (admin, "practitioner", "/practitioners/prac-0042"),
        (admin, "admin roster", "/admin"),
        (supervisor, "agency board (supervisor)", "/board"),
    ]
    rows = []
    for client, label, path in pages:
        found, drawing = await timings(client, path, requests)
        rows.append(
            (
                label,
                path,
                statistics.median(found),
                percentile(found, 0.95),
                statistics.median(drawing),
                percentile(drawing, 0.95),
            )
        )
    await admin.aclose()
    await supervisor.aclose()
    rows.append(
        (
            "certification GET /practitioners, every page (what the board waits for)",
            "—",
            statistics.median(direct),
            percentile(direct, 0.95),
            0.0,
            0.0,
        )
    )
    return rows


def main(practitioners: int, requests: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-portal-bench-"))
    os.chmod(root, 0o755)
    pg, nats_server = PostgresServer(root / "pgdata"), NatsServer(root / "nats")
    pg.start(fast_unsafe=True)
    pg.create_database(DATABASE)
    nats_server.start()
    try:
        with processes(pg.dsn(DATABASE), nats_server.url) as ports:
            rows = asyncio.run(measure(ports, practitioners, requests))
    finally:
        nats_server.stop()
        pg.stop()
    print(f"\nportal page render, agency of {practitioners} practitioners ({requests} requests)\n")
    print("| page | path | p50 ms | p95 ms | p95 < 300 ms | HTML drawn p50 / p95 ms |")
    print("|---|---|---|---|---|---|")
    for label, path, p50, p95, draw50, draw95 in rows:
        verdict = "yes" if p95 < TARGET_P95_MS else "no"
        print(
            f"| {label} | `{path}` | {p50:.0f} | {p95:.0f} | {verdict} "
            f"| {draw50:.0f} / {draw95:.0f} |"
        )
    print("\n(request to last byte over loopback; the last column is the portal's template time,")
    print(" from its Server-Timing header; the rest is the services' answers and the network)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=500)
    parser.add_argument("--requests", type=int, default=40)
    arguments = parser.parse_args()
    main(arguments.practitioners, arguments.requests)
