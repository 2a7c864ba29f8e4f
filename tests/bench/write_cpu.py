"""Figure 1's writes of one or more services, measured alone: service CPU and SQL per write.

The whole-system bench (system_bench.py) takes minutes and reads rates on a shared
machine; this driver starts the same stack (processes.py), prepares the same agency
(writes.py) and measures only the creates named:

- service CPU per write (the uvicorn process's /proc time over a closed loop) and
  PostgreSQL's (all its processes: the request's, relay's and consumers' statements), each
  service `--rounds` times beside the bare endpoint of the same round;
- for the other services' writes, certification's CPU per write taking in their events
  (its /proc time from quiet before the loop to quiet after it, idle included);
- `--baseline DIR`: another checkout's services (e.g. a worktree of main) on a second
  stack, measured round by round beside this checkout's, in turns: a busy machine
  weighs on both alike, and the per-round ratio is the before/after figure;
- `--setting NAME=VALUE` (repeatable): PostgreSQL settings of this checkout's stack
  only (ALTER SYSTEM, reloaded): with `--baseline` naming this same checkout, an A/B of
  the settings (e.g. group commit: `--setting commit_delay=200 commit_siblings=5`);
- `--statements`: the SQL statements a write costs (request, relay and consumers alike),
  counted from PostgreSQL's own statement log, at one client and at `--clients`;
- `--statement-cpu`: PostgreSQL's CPU per write per statement, split into parse, bind
  (planning) and execute, from its own accounting (statement_cpu.py);
- `--profile DIR`: py-spy records each service's process over one more loop (and
  certification's, taking in another service's events, as `<service>-intake.txt`; py-spy
  must be on the PATH; it is not a project dependency).

`python -m tests.bench.write_cpu [--services fidelity certification] [--clients 16]
[--seconds 4] [--rounds 3] [--baseline DIR] [--setting NAME=VALUE ...] [--statements]
[--statement-cpu]
[--profile DIR [--gil]]`
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import shutil
import signal
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from shared.servers import dies_with_parent
from tests.bench import ceilings
from tests.bench.bulk_import import settled
from tests.bench.load import run_on_uvloop
from tests.bench.processes import REPO_ROOT, BenchStack, Process, py_spy_command, schema_of
from tests.bench.statement_cpu import statement_cpu
from tests.bench.statement_log import logged_while
from tests.bench.writes import MAIN_CREATE, Writes

STATEMENT_SECONDS = 3.0
# log_line_prefix below: "[pid] application " before each entry
STATEMENT = re.compile(r"^\[(\d+)\] (\S*) LOG:  (?:statement|execute [^:]*): (.*)$")


async def count_statements(stack: BenchStack, writes: Writes, service: str, clients: int) -> None:
    """Log every statement while `clients` closed loops write for a few seconds: the
    service's statements per write, each text's share (the request path's, the relay's
    and the consumers' alike: all are paid for by the writes)."""
    outcome, text = await logged_while(
        stack, "log_statement", "all", lambda: writes.measure(service, clients, STATEMENT_SECONDS)
    )
    texts: collections.Counter[str] = collections.Counter()
    for entry in re.split(r"\n(?=\[\d+\] )", text):
        match = STATEMENT.match(entry.split("\n", 1)[0])
        if match is None or match.group(2) != service:
            continue
        texts[" ".join((match.group(3) + " " + entry.partition("\n")[2]).split())[:120]] += 1
    # the warm-up's writes (one a client) are logged too
    writes_done = outcome.done + outcome.failed + clients
    print(
        f"\n{service}, {clients} client(s): {sum(texts.values()) / writes_done:.2f} statements"
        f" per write ({writes_done} writes)"
    )
    for sql, n in texts.most_common(24):
        print(f"  {n / writes_done:5.2f}  {sql}")


class NamedStack(BenchStack):
    """The bench's stack, each service's connections named after it in PostgreSQL."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        for name in self.services:
            key = f"{name.upper()}_DATABASE_URL"
            env[key] = f"{env[key]}?application_name={name}"
        return env


@dataclass
class RootedProcess(Process):
    """A service process started from another checkout (`--baseline`): its code, this
    driver's servers and load."""

    root: Path = REPO_ROOT

    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("ab") as log:
            self.child = subprocess.Popen(
                self.command,
                env=env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=dies_with_parent(signal.SIGTERM),
            )


@dataclass
class Side:
    """One checkout's stack and the agency its writes go to."""

    name: str
    stack: NamedStack
    writes: Writes | None = None


async def start_side(
    name: str, root: Path | None, clients: int, settings: Sequence[str] = ()
) -> Side:
    stack = NamedStack()
    if root is not None:
        for service, process in stack.services.items():
            stack.services[service] = RootedProcess(
                process.name, process.command, process.log_path, process.port, root=root
            )
    side = Side(name, stack)
    stack.start_servers()
    await apply_settings(stack, settings)
    stack.start_services()
    side.writes = Writes({n: p.url for n, p in stack.services.items()}, stack.secret, clients)
    await side.writes.prepare()
    return side


async def apply_settings(stack: BenchStack, settings: Sequence[str]) -> None:
    """`NAME=VALUE` settings, kept in the stack's postgresql.auto.conf and reloaded."""
    if not settings:
        return
    admin = await asyncpg.connect(stack.database_url)
    try:
        names = []
        for setting in settings:
            name, _, value = setting.partition("=")
            if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[\w.]+", value):
                raise SystemExit(f"--setting {setting!r}: expected NAME=VALUE")
            await admin.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            names.append(name)
        await admin.execute("SELECT pg_reload_conf()")
        await asyncio.sleep(0.2)
        shown = [f"{name}={await admin.fetchval(f'SHOW {name}')}" for name in names]
        print(f"PostgreSQL settings of this checkout's stack: {', '.join(shown)}", flush=True)
    finally:
        await admin.close()


async def run(arguments: argparse.Namespace) -> None:
    sides: list[Side] = []
    try:
        sides.append(await start_side("this checkout", None, arguments.clients, arguments.setting))
        if arguments.baseline:
            sides.append(await start_side("baseline", arguments.baseline, arguments.clients))
        for side in sides:  # warm-up: caches, prepared statements
            for service in arguments.services:
                assert side.writes is not None
                await side.writes.measure(service, arguments.clients, 1.0)
        await measure_rounds(sides, arguments)
        stack, writes = sides[0].stack, sides[0].writes
        assert writes is not None
        if arguments.statements:
            for service in arguments.services:
                for clients in sorted({1, arguments.clients}):
                    await settle(stack)
                    await count_statements(stack, writes, service, clients)
        if arguments.statement_cpu:
            for service in arguments.services:
                await settle(stack)
                await statement_cpu(stack, writes, service, arguments.clients)
        if arguments.profile:
            await profile(stack, writes, arguments)
    finally:
        for side in sides:
            side.stack.stop()
            shutil.rmtree(side.stack.root, ignore_errors=True)


async def measure_rounds(sides: list[Side], arguments: argparse.Namespace) -> None:
    """Each round: the bare endpoint, then each service on every side back to back (the
    sides' order turns each round), so a busy machine weighs on both sides alike."""
    bare_process = sides[0].stack.bare
    bare_process.start(sides[0].stack.environment())
    bare_process.wait_ready()
    cpu: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    # certification's CPU per write while it takes in the events of another service's
    # writes (figure 1's machine shares its cores with that downstream work)
    downstream: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    # PostgreSQL's CPU per write over the loop (every backend: the request's, the relay's
    # and the consumers' statements alike)
    postgres: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    for round_number in range(arguments.rounds):
        # the bare endpoint's CPU per write is inflated by a busy machine as the
        # services' are: the ratio to it is steadier than the milliseconds
        bare = await ceilings.bare_endpoint(
            bare_process.url, arguments.clients, arguments.seconds, bare_process.cpu_seconds
        )
        cpu[("bare endpoint", "")].append(bare.cpu_ms_per_request)
        for service in arguments.services:
            turn = round_number % len(sides)
            for side in sides[turn:] + sides[:turn]:
                assert side.writes is not None
                await settle(side.stack)
                process = side.stack.services[service]
                certification = side.stack.services["certification"]
                intake_before = await quiet_cpu(certification)
                postgres_before = side.stack.postgres_cpu_seconds()
                outcome = await side.writes.measure(
                    service, arguments.clients, arguments.seconds, process.cpu_seconds
                )
                postgres_ms = (
                    1000
                    * (side.stack.postgres_cpu_seconds() - postgres_before)
                    / max(outcome.done, 1)
                )
                cpu[(service, side.name)].append(outcome.cpu_ms_per_request)
                postgres[(service, side.name)].append(postgres_ms)
                intake = ""
                if service != "certification":
                    await settle(side.stack)
                    spent = await quiet_cpu(certification) - intake_before
                    per_write = 1000 * spent / max(outcome.done, 1)
                    downstream[(service, side.name)].append(per_write)
                    intake = f"; certification CPU {per_write:.2f} ms/write (intake)"
                print(
                    f"{side.name}: {service} {MAIN_CREATE[service]}, {arguments.clients}"
                    f" clients: {outcome.rate:,.0f} writes/s, service CPU"
                    f" {outcome.cpu_ms_per_request:.2f} ms/write, PostgreSQL CPU"
                    f" {postgres_ms:.2f} ms/write ({outcome.failed} failed);"
                    f" bare {bare.cpu_ms_per_request:.2f}{intake}",
                    flush=True,
                )
    bare_process.stop()
    for (service, side_name), values in cpu.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"{service} {side_name}: CPU ms/write {shown}; median {statistics.median(values):.2f}"
        )
    for (service, side_name), values in postgres.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"{service} {side_name}: PostgreSQL CPU ms/write {shown};"
            f" median {statistics.median(values):.2f}"
        )
    for (service, side_name), values in downstream.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"{service} {side_name}: certification CPU ms/write (intake) {shown};"
            f" median {statistics.median(values):.2f}"
        )
    if len(sides) == 2:
        for service in arguments.services:
            ratios = [
                mine / theirs
                for mine, theirs in zip(
                    cpu[(service, sides[0].name)], cpu[(service, sides[1].name)], strict=True
                )
            ]
            shown = ", ".join(f"{r:.2f}" for r in ratios)
            print(
                f"{service}: this checkout / baseline, round by round: {shown};"
                f" median {statistics.median(ratios):.2f}"
            )


async def quiet_cpu(process: Process, idle: float = 0.01, most: float = 30.0) -> float:
    """`process`'s CPU seconds once it has stopped working (under `idle` CPU seconds in
    half a second, or after `most` seconds): its intake of events that are not evidence
    (which `settle` cannot see) has ended too."""
    last = process.cpu_seconds()
    deadline = asyncio.get_running_loop().time() + most
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.5)
        now = process.cpu_seconds()
        if now - last < idle:
            return now
        last = now
    return last


async def settle(stack: BenchStack) -> None:
    """As the bench: wait until certification has taken in the evidence of earlier
    writes, so no loop is charged for that backlog's intake."""
    conn = await asyncpg.connect(stack.database_url)
    try:
        await settled(conn, schema_of("certification"), "writes", quiet=1.0)
    finally:
        await conn.close()


def py_spy(pid: int, seconds: float, output: Path, arguments: argparse.Namespace) -> list[str]:
    return [
        py_spy_command(),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(output),
        # native frames need the process paused while sampled
        *(["--native"] if arguments.native else ["--nonblocking"]),
        *(["--gil"] if arguments.gil else []),
    ]


async def profile(stack: BenchStack, writes: Writes, arguments: argparse.Namespace) -> None:
    """Each service over one more loop; for another service's writes certification too,
    taking in their events meanwhile (`<service>-intake.txt`)."""
    out: Path = arguments.profile
    for service in arguments.services:
        await settle(stack)
        pid = stack.services[service].pids()[0]
        recorders = [
            await asyncio.create_subprocess_exec(
                *py_spy(pid, arguments.seconds, out / f"{service}.txt", arguments)
            )
        ]
        if service != "certification":
            intake_pid = stack.services["certification"].pids()[0]
            output = out / f"{service}-intake.txt"
            recorders.append(
                await asyncio.create_subprocess_exec(
                    *py_spy(intake_pid, arguments.seconds, output, arguments)
                )
            )
        await asyncio.sleep(0.5)
        process = stack.services[service]
        outcome = await writes.measure(
            service, arguments.clients, arguments.seconds + 0.5, process.cpu_seconds
        )
        print(
            f"profiled {service}: {outcome.done} writes,"
            f" service CPU {outcome.cpu_ms_per_request:.2f} ms/write"
        )
        await settle(stack)
        for recorder in recorders:
            await recorder.wait()
        print(f"profile of {service}: {out / f'{service}.txt'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", nargs="+", default=["fidelity", "certification"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument(
        "--setting",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="PostgreSQL settings of this checkout's stack only (ALTER SYSTEM, reloaded)",
    )
    parser.add_argument(
        "--statement-cpu",
        action="store_true",
        help="PostgreSQL's CPU per write per statement, split into parse, bind and execute",
    )
    parser.add_argument("--profile", type=Path)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. a worktree of main): its services on a second stack,"
        " measured round by round beside this checkout's",
    )
    parser.add_argument("--native", action="store_true", help="py-spy's native frames too")
    parser.add_argument(
        "--gil", action="store_true", help="py-spy: only samples holding the GIL (no syscalls)"
    )
    arguments = parser.parse_args()
    if arguments.profile:
        arguments.profile.mkdir(parents=True, exist_ok=True)
    run_on_uvloop(run(arguments))


if __name__ == "__main__":
    main()
