"""Where a rebuild's time goes, on the large dataset's shape (tests/bench/dataset.py).

One agency of ``--practitioners`` (each a registration and 9 evidence events) is COPYed
into certification's store on a pair of real servers started here, then rebuilt
``--rounds`` times in process; each round prints its events/s, its wall time, the CPU
of this process, of its fold workers and of PostgreSQL's backends, and the resident
memory of this process and its workers (a rebuild's first round includes starting the
workers, which import this module again: more than under uvicorn). ``--profile FILE``
writes a cProfile of the last round (this process only). ``--statements`` runs the last
round with `log_statement_stats` and prints PostgreSQL's CPU per statement (the
logging costs CPU too: compare the statements with each other). ``--idle`` prints, for
the last round, each busy process's time running, waiting for a CPU (the machine's
load) and blocked (waiting on another process: where a core idles that the rebuild
could use), from the kernel's scheduler statistics. ``--from-empty`` drops the agency's
projections (and vacuums them) before each round, outside its measurement: every round
then builds them from nothing, as figure 5 does after the dataset's load, rather than
replacing the rows of the round before. The service's settings come
from the environment, e.g. ``CERTIFICATION_REBUILD_WORKERS=0`` to fold inline.

`python -m tests.bench.rebuild_phases [--practitioners N] [--rounds R] [--profile F]
[--statements] [--idle] [--from-empty]`;
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
from services.certification.adapters.credential_schema import CREDENTIAL_PROJECTION_TABLES
from services.certification.adapters.schema import PROJECTION_TABLES
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.certification.handlers.rebuild import rebuild_agency
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import running
from tests.bench import dataset
from tests.bench.statement_cpu import usage_by_statement

DATABASE = "bench"
SCHEMA = "bench_phases"


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


def _sched(pid: int) -> tuple[float, float]:
    """(seconds running, seconds runnable but waiting for a CPU) of ``pid``'s main thread."""
    try:
        run, wait, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except OSError:
        return 0.0, 0.0
    return int(run) / 1e9, int(wait) / 1e9


def _busy_processes(pg: PostgresServer) -> dict[int, str]:
    """This process, its fold workers and PostgreSQL's backends, by pid."""
    found = {os.getpid(): "rebuild (main thread)"}
    postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    for parent, what in ((os.getpid(), "fold worker"), (postmaster, "PostgreSQL")):
        for task in Path(f"/proc/{parent}/task").iterdir():
            for child in (task / "children").read_text().split():
                try:
                    command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                if what == "PostgreSQL" or b"multiprocessing" in command:
                    label = command.decode(errors="replace").strip()[:40]
                    found[int(child)] = what if what == "fold worker" else f"{what}: {label}"
    return found


def _print_idle(wall: float, busy: dict[int, str], before: dict[int, tuple[float, float]]) -> None:
    """Per process: running, waiting for a CPU, blocked, over the round's wall time."""
    print(f"{'seconds over':>38} {wall:.2f} s: running, waiting for a CPU, blocked")
    for pid, label in busy.items():
        run, wait = (a - b for a, b in zip(_sched(pid), before[pid], strict=True))
        if run > 0.02:
            print(f"  {label[:36]:<36} {run:6.2f} {wait:6.2f} {wall - run - wait:6.2f}")


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


async def _drop_projections(pg: PostgresServer, agency_id: str) -> None:
    """The agency's projections deleted and the tables vacuumed (as before a first build)."""
    admin = await asyncpg.connect(pg.dsn(DATABASE), server_settings={"search_path": SCHEMA})
    try:
        for table in (*PROJECTION_TABLES, *CREDENTIAL_PROJECTION_TABLES):
            await admin.execute(f"DELETE FROM {table} WHERE agency_id = $1", agency_id)
        for table in (*PROJECTION_TABLES, *CREDENTIAL_PROJECTION_TABLES):
            await admin.execute(f"VACUUM (ANALYZE) {table}")
        await admin.execute("CHECKPOINT")
    finally:
        await admin.close()


async def measure(
    pg: PostgresServer,
    nats_url: str,
    practitioners: int,
    rounds: int,
    profile: str | None,
    statements: bool = False,
    idle: bool = False,
    from_empty: bool = False,
) -> None:
    settings = CertificationSettings(
        environment="test",
        database_url=pg.dsn(DATABASE),
        nats_url=nats_url,
        db_schema=SCHEMA,
        subject_root="benchphases",
        db_pool_max=10,
    )
    today = date.today()
    shape = dataset.Shape(1, practitioners)
    app = certification_app(settings, SettableClock(today))
    async with running(app):
        runtime = app.state.runtime
        rows, seconds = await dataset.load(pg.dsn(DATABASE), SCHEMA, [], shape, today)
        print(f"loaded {rows:,} events in {seconds:.1f} s")
        for n in range(rounds):
            if from_empty and n:
                await _drop_projections(pg, shape.agency(0))
            logged_from = None
            if statements and n == rounds - 1:
                logged_from = await _log_statement_stats(pg, on=True)
            busy = _busy_processes(pg) if idle and n == rounds - 1 else {}
            scheduled = {pid: _sched(pid) for pid in busy}
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
            if busy:
                _print_idle(wall, busy, scheduled)
            if logged_from is not None:
                await _log_statement_stats(pg, on=False)
                _print_statements(pg, logged_from)


async def main(
    practitioners: int,
    rounds: int,
    profile: str | None,
    statements: bool,
    idle: bool,
    from_empty: bool,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-rebuild-phases-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    server = NatsServer(root / "nats")
    pg.start()
    pg.create_database(DATABASE)
    server.start()
    try:
        await measure(pg, server.url, practitioners, rounds, profile, statements, idle, from_empty)
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
    parser.add_argument("--idle", action="store_true", help="where the processes wait")
    parser.add_argument("--from-empty", action="store_true", help="each round a first build")
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.practitioners,
            arguments.rounds,
            arguments.profile,
            arguments.statements,
            arguments.idle,
            arguments.from_empty,
        )
    )
