"""Where a rebuild's time goes, on the large dataset's shape (tests/bench/dataset.py).

One agency of ``--practitioners`` (each a registration and 9 evidence events) is COPYed
into certification's store on a pair of real servers started here, then rebuilt
``--rounds`` times in process; each round prints its events/s, its wall time, the CPU
of this process, of its fold workers and of PostgreSQL's backends, and the resident
memory of this process and its workers (a rebuild's first round includes starting the
workers, which import this module again: more than under uvicorn). ``--profile FILE``
writes a cProfile of the last round (this process only). ``--statements`` runs the last
round with `log_statement_stats` and prints PostgreSQL's CPU per statement (the
logging costs CPU too: compare the statements with each other). The service's settings come
from the environment, e.g. ``CERTIFICATION_REBUILD_WORKERS=0`` to fold inline.

`python -m tests.bench.rebuild_phases [--practitioners N] [--rounds R] [--profile F]
[--statements]`;
nothing is asserted.
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
from datetime import date
from pathlib import Path

import asyncpg

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.certification.handlers.rebuild import rebuild_agency
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import running
from tests.bench import dataset
from tests.bench.statement_cpu import usage_by_statement

DATABASE = "bench"


def _cpu() -> tuple[float, float]:
    """(this process's CPU, its reaped children's CPU), in seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, _children_cpu()


def _children_cpu(pid: int | None = None) -> float:
    """CPU of the live child processes of ``pid`` (this one: the pool workers), from /proc."""
    total = 0
    for task in Path(f"/proc/{pid or os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _rss_mb() -> float:
    """VmRSS of this process and its live children, in MB."""
    pids = [os.getpid()]
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
    return total / 1024


def _postgres_cpu(pg: PostgresServer) -> float:
    """CPU of the PostgreSQL server's backends: its live children, and those that exited
    (an autovacuum worker, a parallel worker), which the postmaster has reaped."""
    postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return _children_cpu(postmaster) + reaped


async def _log_statement_stats(pg: PostgresServer, on: bool) -> int:
    """Switch PostgreSQL's per-statement CPU logging; the log's size at the switch."""
    admin = await asyncpg.connect(pg.dsn(DATABASE))
    try:
        if on:
            await admin.execute("ALTER SYSTEM SET log_statement_stats = on")
            await admin.execute("ALTER SYSTEM SET log_line_prefix = '[%p] %a '")
        else:
            await admin.execute("ALTER SYSTEM RESET log_statement_stats")
            await admin.execute("ALTER SYSTEM RESET log_line_prefix")
        await admin.execute("SELECT pg_reload_conf()")
    finally:
        await admin.close()
    await asyncio.sleep(0.5)
    return _log_path(pg).stat().st_size


def _log_path(pg: PostgresServer) -> Path:
    return pg.data_dir.parent / f"{pg.data_dir.name}.log"


def _print_statements(pg: PostgresServer, start: int) -> None:
    """PostgreSQL's CPU per statement of the round logged from ``start``, largest first."""
    with _log_path(pg).open("rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", "replace")
    per_statement, per_step = usage_by_statement(text)
    steps = ", ".join(f"{step} {cpu:.2f}" for step, cpu in per_step.items())
    print(f"PostgreSQL statement CPU {sum(per_step.values()):.2f} s ({steps})")
    for (_, step, sql), cpu in sorted(per_statement.items(), key=lambda item: -item[1])[:20]:
        print(f"  {cpu:6.3f} s  {step:<7} {sql}")


async def measure(
    pg: PostgresServer,
    nats_url: str,
    practitioners: int,
    rounds: int,
    profile: str | None,
    statements: bool = False,
) -> None:
    settings = CertificationSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema="bench_phases",
        subject_root="benchphases",
        db_pool_max=10,
    )
    today = date.today()
    shape = dataset.Shape(1, practitioners)
    app = certification_app(settings, SettableClock(today))
    async with running(app):
        runtime = app.state.runtime
        rows, seconds = await dataset.load(pg.dsn(DATABASE), "bench_phases", [], shape, today)
        print(f"loaded {rows:,} events in {seconds:.1f} s")
        for n in range(rounds):
            logged_from = None
            if statements and n == rounds - 1:
                logged_from = await _log_statement_stats(pg, on=True)
            own, children = _cpu()
            database = _postgres_cpu(pg)
            started = time.perf_counter()
            profiler = cProfile.Profile() if profile and n == rounds - 1 else None
            if profiler:
                profiler.enable()
            report = await rebuild_agency(runtime, shape.agency(0), today)
            if profiler and profile:
                profiler.disable()
                profiler.dump_stats(profile)
            wall = time.perf_counter() - started
            own_after, children_after = _cpu()
            database_after = _postgres_cpu(pg)
            print(
                f"round {n + 1}: {report.events_replayed:,} events, "
                f"{report.events_replayed / wall:,.0f} events/s, wall {wall:.2f} s, "
                f"CPU main {own_after - own:.2f} s, workers {children_after - children:.2f} s, "
                f"PostgreSQL {database_after - database:.2f} s, "
                f"published {report.transitions_published}; resident memory {_rss_mb():.0f} MB "
                "(this process and its workers)"
            )
            if logged_from is not None:
                await _log_statement_stats(pg, on=False)
                _print_statements(pg, logged_from)


async def main(practitioners: int, rounds: int, profile: str | None, statements: bool) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-rebuild-phases-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    server = NatsServer(root / "nats")
    pg.start()
    pg.create_database(DATABASE)
    server.start()
    try:
        await measure(pg, server.url, practitioners, rounds, profile, statements)
    finally:
        server.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)  # a database of 100,000 events


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--statements", action="store_true", help="PostgreSQL's CPU per statement")
    arguments = parser.parse_args()
    asyncio.run(
        main(arguments.practitioners, arguments.rounds, arguments.profile, arguments.statements)
    )
