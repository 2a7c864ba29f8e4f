"""Certification's intake of an import's observations, batch by batch, in process.

Figure 2's certification share without the rest of the pipeline: ``--practitioners``
are registered on a real PostgreSQL (and NATS, which the service needs to start), then
each of ``--rounds`` rounds takes in ``--lines`` fidelity observations (the lines of
`bulk_import`: practitioner by practitioner in turn, seven observers, each round the
same days, newest first) as consumer batches of ``--batch`` events, each in its own
transaction with its locks, as the consumer takes them in (handlers/batch_intake.py).
Each round prints this process's CPU and PostgreSQL's per line: how the intake's cost
grows with the practitioners' history, free of the timing that decides how many
batches an end-to-end import is taken in by (fewer, larger batches evaluate each
practitioner fewer times). Run it against another checkout with
``PYTHONPATH=DIR python tests/bench/intake_batches.py`` from DIR.

`python -m tests.bench.intake_batches [--practitioners 64] [--lines 5000] [--rounds 4]
[--batch 1000] [--profile FILE] [--statements] [--in-date-order]`: ``--in-date-order``
dates each round's lines oldest first, after the round before's (as `bulk_import`'s);
``--profile`` writes a cProfile of the last round (this process); ``--statements``
prints its statements' wall time per line (as the driver saw them: PostgreSQL's time
and the round trip). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from services.certification.adapters.clock import SettableClock
from services.certification.adapters.evaluation_reads import evaluation_inputs
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.certification.handlers.batch_intake import BatchParts, take_in_batch
from services.certification.handlers.intake import lock_batch
from shared.envelope import CloudEvent
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer, running
from tests.bench.rebuild_phases import _postgres_cpu
from tests.certification.upstream import UpstreamHistory

DATABASE = "bench"
SCHEMA = "bench_intake"
AGENCY = "intake"


class StatementTimes:
    """Each statement's wall time as the driver saw it, summed by its text's start."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def note(self, logged: Any) -> None:
        text = " ".join(logged.query.split())[:110]
        self.seconds[text] = self.seconds.get(text, 0.0) + logged.elapsed


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def observations(
    practitioners: list[str], lines: int, today: date, in_date_order: tuple[int, int] | None
) -> list[CloudEvent]:
    """A round's lines as fidelity's `observation_recorded` events (`bulk_import.ndjson`'s
    shape: the practitioners in turn, each a day further back, seven observers; with
    ``in_date_order`` (this round, of how many) oldest first, each round after the last)."""
    histories = {pid: UpstreamHistory(AGENCY, pid) for pid in practitioners}
    events = []
    per = -(-lines // len(practitioners))
    for n in range(lines):
        history = histories[practitioners[n % len(practitioners)]]
        day = n // len(practitioners)
        if in_date_order is None:
            back = 1 + day % 300
        else:
            round_number, rounds = in_date_order
            back = 1 + (rounds - round_number) * per + (per - 1 - day)
        history.observed(
            today - timedelta(days=back), observer=f"import-observer-{n % 7}", calibrated=False
        )
        events.append(history.events[-1])
    return events


async def measure(
    pg: PostgresServer,
    nats_url: str,
    practitioners: int,
    lines: int,
    rounds: int,
    batch: int,
    profile: str | None = None,
    statements: bool = False,
    in_date_order: bool = False,
) -> None:
    settings = CertificationSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema=SCHEMA,
        subject_root="benchintake",
        db_pool_max=4,
    )
    today = date.today()
    app = certification_app(settings, SettableClock(today))
    ids = [f"p-{n:03d}" for n in range(practitioners)]
    async with running(app):
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://certification") as http:
            for pid in ids:
                answer = await http.post(
                    "/practitioners",
                    json={
                        "practitioner_id": pid,
                        "role": "facilitator",
                        "program_start": (today - timedelta(days=400)).isoformat(),
                        "coach_id": "coach-1",
                        "supervisor_id": "sup-1",
                    },
                    headers=bearer(settings, AGENCY, "admin", subject="admin-1"),
                )
                assert answer.status_code == 201, answer.text
        parts = BatchParts()
        timed = StatementTimes()
        for round_number in range(1, rounds + 1):
            events = observations(
                ids, lines, today, (round_number, rounds) if in_date_order else None
            )
            profiler = cProfile.Profile() if profile and round_number == rounds else None
            if profiler:
                profiler.enable()
            own, database, started = _cpu(), _postgres_cpu(pg), time.perf_counter()
            for start in range(0, len(events), batch):
                chunk = events[start : start + batch]
                async with runtime.pool.acquire() as conn, conn.transaction():
                    if statements and round_number == rounds:
                        conn.add_query_logger(timed.note)
                    await lock_batch(conn, chunk, parts)
                    await take_in_batch(conn, runtime.store, chunk, today, parts)
                    conn.remove_query_logger(timed.note)
                parts.clear()
            wall = time.perf_counter() - started
            if profiler and profile:
                profiler.disable()
                profiler.dump_stats(profile)
            service = (_cpu() - own) / lines * 1000
            postgres = (_postgres_cpu(pg) - database) / lines * 1000
            print(
                f"round {round_number}: {lines:,} lines in batches of {batch}, wall {wall:.2f} s;"
                f" CPU per line: certification {service:.3f} ms, PostgreSQL {postgres:.3f} ms"
                f" ({(round_number) * lines // practitioners} items per practitioner after it)",
                flush=True,
            )
        await _read_once_more(pg, runtime, ids)
        for text, seconds in sorted(timed.seconds.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {seconds / lines * 1e6:7.1f} us/line  {text}")


async def _read_once_more(pg: PostgresServer, runtime: Any, ids: list[str]) -> None:
    """What reading every practitioner's evidence for an evaluation costs now (the
    read alone, five times, nothing new stored in between)."""
    own, database = _cpu(), _postgres_cpu(pg)
    for _ in range(5):
        async with runtime.pool.acquire() as conn:
            await evaluation_inputs(conn, AGENCY, ids, with_evidence=True)
    print(
        f"evaluation read of the {len(ids)} practitioners, nothing new: CPU"
        f" certification {(_cpu() - own) / 5 * 1000:.1f} ms,"
        f" PostgreSQL {(_postgres_cpu(pg) - database) / 5 * 1000:.1f} ms a read"
    )


async def main(
    practitioners: int,
    lines: int,
    rounds: int,
    batch: int,
    profile: str | None,
    statements: bool,
    in_date_order: bool,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-intake-batches-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    server = NatsServer(root / "nats")
    pg.start()
    pg.create_database(DATABASE)
    server.start()
    try:
        await measure(
            pg, server.url, practitioners, lines, rounds, batch, profile, statements, in_date_order
        )
    finally:
        server.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=64)
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--profile", default=None, help="a cProfile of the last round")
    parser.add_argument(
        "--statements", action="store_true", help="the last round's statements, by wall time"
    )
    parser.add_argument(
        "--in-date-order", action="store_true", help="each round's lines after the last's"
    )
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.practitioners,
            arguments.lines,
            arguments.rounds,
            arguments.batch,
            arguments.profile,
            arguments.statements,
            arguments.in_date_order,
        )
    )
