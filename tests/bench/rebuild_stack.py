"""Figure 5 alone: the large dataset COPYed, then every agency rebuilt over HTTP.

The same stack as `make bench` (tests/bench/processes.py: durable PostgreSQL, NATS,
the four services as uvicorn processes), the same load (tests/bench/dataset.py) and
the same `POST /projections/rebuild` per agency, without the other figures. While the
rebuilds run, PostgreSQL's activity is sampled every ``--sample`` seconds
(pg_stat_activity: who is active, on which wait event; autovacuum's progress), and at
the end each agency's time, certification's CPU and the samples are printed.

``--statements`` logs PostgreSQL's CPU per statement over the rebuilds
(`log_statement_stats`: the logging costs CPU too, compare the statements with each
other) and prints it beside the CPU of each kind of PostgreSQL process (client
backends, checkpointer, background writer, WAL writer, autovacuum ...).

`python -m tests.bench.rebuild_stack [--agencies 10] [--practitioners 10000]
[--pause SECONDS] [--statements]`; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import asyncpg
import httpx

from tests.bench import dataset
from tests.bench.processes import BenchStack, py_spy_command, schema_of
from tests.bench.statement_cpu import usage_by_statement
from tests.bench.statement_log import logged_while
from tests.bench.writes import Tokens

UPSTREAM = ("learning", "coaching", "fidelity")
_ACTIVITY = """
    SELECT backend_type, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS waiting,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query
    FROM pg_stat_activity
    WHERE state = 'active' AND pid <> pg_backend_pid()
       OR backend_type NOT IN ('client backend', 'walsender')
"""


async def sample(dsn: str, every: float, seen: collections.Counter[str]) -> None:
    """Count what PostgreSQL's processes are doing, every ``every`` seconds."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            for row in await conn.fetch(_ACTIVITY):
                if row["backend_type"] == "client backend":
                    seen[f"client {row['waiting']} | {row['query']}"] += 1
                elif row["waiting"] not in (
                    "Activity:AutoVacuumMain",
                    "Activity:BgWriterMain",
                    "Activity:CheckpointerMain",
                    "Activity:WalWriterMain",
                    "Activity:LogicalLauncherMain",
                    "Activity:BgWriterHibernate",
                ):
                    seen[f"{row['backend_type']} {row['waiting']} | {row['query']}"] += 1
            await asyncio.sleep(every)
    finally:
        await conn.close()


def postgres_cpu_by_kind(stack: BenchStack) -> dict[str, float]:
    """CPU seconds so far of each kind of PostgreSQL process (by its title: client
    backends, checkpointer, WAL writer ...); "exited" for the processes the postmaster
    reaped (autovacuum and parallel workers)."""
    postmaster = int((stack.postgres.data_dir / "postmaster.pid").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = collections.defaultdict(float)
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    found["postmaster"] += (int(fields[11]) + int(fields[12])) / ticks
    found["exited"] += (int(fields[13]) + int(fields[14])) / ticks
    for task in Path(f"/proc/{postmaster}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(OSError):  # a backend that exited meanwhile
                title = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0].decode()
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                kind = title.removeprefix("postgres: ")
                if " " in kind and not kind.startswith(("autovacuum", "background", "logical")):
                    kind = "client backends"
                found[kind] += (int(fields[11]) + int(fields[12])) / ticks
    return found


async def _maybe_logged(
    stack: BenchStack, statements: bool, rebuild: Callable[[], Awaitable[int]]
) -> tuple[int, str]:
    """``rebuild``'s result, and PostgreSQL's statement statistics logged meanwhile."""
    if not statements:
        return await rebuild(), ""
    return await logged_while(stack, "log_statement_stats", "on", rebuild)


def _print_statements(text: str) -> None:
    per_statement, per_step = usage_by_statement(text)
    steps = ", ".join(f"{step} {cpu:.2f}" for step, cpu in per_step.items())
    print(f"\nPostgreSQL statement CPU {sum(per_step.values()):.2f} s ({steps})")
    for (_, step, sql), cpu in sorted(per_statement.items(), key=lambda item: -item[1])[:20]:
        print(f"  {cpu:6.3f} s  {step:<7} {sql}")


async def run(
    agencies: int,
    practitioners: int,
    pause: float,
    every: float,
    profile: str | None,
    settled: bool,
    statements: bool = False,
) -> None:
    stack = BenchStack()
    shape = dataset.Shape(agencies, practitioners)
    try:
        stack.start_servers()
        stack.start_services()
        dsn, schema = stack.database_url, schema_of("certification")
        loading = time.perf_counter()
        rows, seconds = await dataset.load(
            dsn, schema, [schema_of(s) for s in UPSTREAM], shape, date.today(), settled=settled
        )
        settling = time.perf_counter() - loading - seconds
        print(f"loaded {rows:,} events in {seconds:.1f} s, settled in {settling:.1f} s", flush=True)
        if pause:
            await asyncio.sleep(pause)
        certification = stack.services["certification"]
        url = certification.url
        seen: collections.Counter[str] = collections.Counter()
        sampling = asyncio.create_task(sample(dsn, every, seen))
        spying = None
        if profile:  # py-spy of the service and its fold workers, collapsed stacks
            assert certification.child is not None
            spying = await asyncio.create_subprocess_exec(
                py_spy_command(),
                "record",
                "--subprocesses",
                "--nonblocking",
                "--format",
                "raw",
                "-r",
                "50",
                "-o",
                profile,
                "-p",
                str(certification.child.pid),
            )
        cpu_before = certification.cpu_seconds()
        others_before = {
            n: p.cpu_seconds() for n, p in stack.services.items() if n != "certification"
        }
        database_before = stack.postgres_cpu_seconds()
        kinds_before = postgres_cpu_by_kind(stack)
        started = time.perf_counter()

        async def rebuild() -> int:
            replayed = 0
            async with httpx.AsyncClient(timeout=3600) as http:
                for n in range(agencies):
                    agency = shape.agency(n)
                    began = time.perf_counter()
                    answer = await http.post(
                        f"{url}/projections/rebuild", headers=Tokens(stack.secret, agency)()
                    )
                    answer.raise_for_status()
                    count = int(answer.json()["events_replayed"])
                    replayed += count
                    took = time.perf_counter() - began
                    print(
                        f"{agency}: {count:,} events in {took:.2f} s ({count / took:,.0f}/s)",
                        flush=True,
                    )
            return replayed

        replayed, logged = await _maybe_logged(stack, statements, rebuild)
        seconds = time.perf_counter() - started
        cpu = certification.cpu_seconds() - cpu_before
        others = ", ".join(
            f"{n} {stack.services[n].cpu_seconds() - before:.1f} s"
            for n, before in others_before.items()
        )
        database = stack.postgres_cpu_seconds() - database_before
        kinds = {
            k: cpu - kinds_before.get(k, 0.0) for k, cpu in postgres_cpu_by_kind(stack).items()
        }
        sampling.cancel()
        if spying is not None:
            spying.send_signal(2)
            await spying.wait()
        print(
            f"\nall: {replayed:,} events in {seconds:.1f} s = {replayed / seconds:,.0f}"
            f" events/s; CPU: certification {cpu:.1f} s, PostgreSQL {database:.1f} s,"
            f" {others}\n"
        )
        print(
            "PostgreSQL CPU by process: "
            + ", ".join(
                f"{kind} {cpu:.1f} s"
                for kind, cpu in sorted(kinds.items(), key=lambda kc: -kc[1])
                if cpu >= 0.05
            )
        )
        if logged:
            _print_statements(logged)
        total = sum(seen.values())
        for what, count in seen.most_common(25):
            print(f"{count:5d} {100 * count / max(total, 1):5.1f}%  {what}")
    finally:
        stack.stop()
        shutil.rmtree(stack.root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--practitioners", type=int, default=10_000)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds after the load")
    parser.add_argument("--sample", type=float, default=0.25)
    parser.add_argument("--unsettled", action="store_true", help="no VACUUM after the load")
    parser.add_argument("--profile", default=None, help="py-spy's collapsed stacks to here")
    parser.add_argument("--statements", action="store_true", help="PostgreSQL's CPU per statement")
    arguments = parser.parse_args()
    asyncio.run(
        run(
            arguments.agencies,
            arguments.practitioners,
            arguments.pause,
            arguments.sample,
            arguments.profile,
            not arguments.unsettled,
            arguments.statements,
        )
    )
