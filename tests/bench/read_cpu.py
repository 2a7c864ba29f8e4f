"""Figure 3's reads alone: certification's CPU per request and the clients' p50/p99.

One agency of `--practitioners` (the full bench's 10,000 by default) COPYed and rebuilt
as the bench does it (tests/bench/dataset.py, `POST /projections/rebuild`), then, round
by round, `--clients` closed loops on each read for `--seconds`:

- `state`: GET /practitioners/{id}/certification of a random practitioner (figure 3);
- `board`: GET /practitioners, the board list's first page (figure 3);
- `board_pages`: GET /practitioners from a random place in the list (figure 3: pages no
  two concurrent requests share);
- `ping`: GET /practitioners/{id}/transitions?limit=1 of a practitioner with none: a
  small authenticated read through the whole kernel stack and FastAPI's dependency
  solving, for what the HTTP path costs beside the bare endpoint's GET.

Each loop's line also gives the load client's CPU per request and PostgreSQL's (the
postmaster and every backend, tests/bench/processes.py), so a request's cost on the
machine's two cores is seen whole: the service, the database and the client together.

`--baseline DIR`: another checkout's certification (e.g. a worktree of main) on a second
stack with the same data, measured in turns with this checkout's, so a busy machine
weighs on both alike. Each figure is printed with the service's own tail note (the
in-service p99 and the garbage collector's pauses, tests/bench/tail.py).

`python -m tests.bench.read_cpu [--practitioners 10000] [--clients 50] [--seconds 4]
[--rounds 3] [--reads state board board_pages ping] [--baseline DIR] [--profile DIR]`

`--profile DIR`: py-spy (on the PATH; not a project dependency) records this checkout's
certification over one more loop of each read, as raw folded stacks.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import statistics
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import asyncpg
import httpx

from tests.bench import dataset, tail
from tests.bench.load import Request, closed_loop, run_on_uvloop
from tests.bench.processes import BenchStack, py_spy_command, schema_of
from tests.bench.reads import certification_reads
from tests.bench.write_cpu import RootedProcess
from tests.bench.writes import Tokens

UPSTREAM = ("learning", "coaching", "fidelity")
ROUTES = {
    "state": "/practitioners/{practitioner_id}/certification",
    "board": "/practitioners",
    "board_pages": "/practitioners",
    "ping": "/practitioners/{practitioner_id}/transitions",
}


@dataclass
class Side:
    name: str
    stack: BenchStack
    agency: str

    @property
    def url(self) -> str:
        return self.stack.services["certification"].url


async def start_side(name: str, root: Path | None, shape: dataset.Shape) -> Side:
    stack = BenchStack()
    if root is not None:
        for service, process in stack.services.items():
            stack.services[service] = RootedProcess(
                process.name, process.command, process.log_path, process.port, root=root
            )
    stack.start_servers()
    stack.start_services()
    schema = schema_of("certification")
    await dataset.load(
        stack.database_url, schema, [schema_of(s) for s in UPSTREAM], shape, date.today()
    )
    agency = shape.agency(0)
    async with httpx.AsyncClient(timeout=600) as http:
        answer = await http.post(
            f"{stack.services['certification'].url}/projections/rebuild",
            headers=Tokens(stack.secret, agency)(),
        )
        answer.raise_for_status()
    for service in UPSTREAM:  # idle from here on: off the shared cores
        stack.services[service].stop()
    conn = await asyncpg.connect(stack.database_url)
    try:  # the rebuilt projections as a database in service holds them
        tables = ("practitioners", "evaluations", "level_statuses")
        await dataset.settle(conn, [f'"{schema}".{table}' for table in tables])
    finally:
        await conn.close()
    return Side(name, stack, agency)


def requests_of(side: Side, size: int) -> dict[str, Request]:
    return certification_reads(side.url, Tokens(side.stack.secret, side.agency)(), size)


async def run(arguments: argparse.Namespace) -> None:
    shape = dataset.Shape(1, arguments.practitioners)
    sides: list[Side] = []
    try:
        sides.append(await start_side("this checkout", None, shape))
        if arguments.baseline:
            sides.append(await start_side("baseline", arguments.baseline, shape))
        requests = {side.name: requests_of(side, shape.practitioners_per_agency) for side in sides}
        for side in sides:  # warm-up: prepared statements, caches
            for read in arguments.reads:
                await closed_loop(arguments.clients, 1.0, requests[side.name][read])
        figures: dict[tuple[str, str], list[tuple[float, float, float]]] = collections.defaultdict(
            list
        )
        for round_number in range(arguments.rounds):
            for read in arguments.reads:
                turn = round_number % len(sides)
                for side in sides[turn:] + sides[:turn]:
                    process = side.stack.services["certification"]
                    before = await tail.scrape(side.url, ROUTES[read])
                    database_before = side.stack.postgres_cpu_seconds()
                    outcome = await closed_loop(
                        arguments.clients,
                        arguments.seconds,
                        requests[side.name][read],
                        process.cpu_seconds,
                    )
                    database = side.stack.postgres_cpu_seconds() - database_before
                    after = await tail.scrape(side.url, ROUTES[read])
                    p99 = outcome.percentile_ms(0.99)
                    figures[(read, side.name)].append(
                        (outcome.cpu_ms_per_request, outcome.median_ms, p99)
                    )
                    print(
                        f"{side.name}: {read}: {outcome.rate:,.0f} req/s, CPU "
                        f"{outcome.cpu_ms_per_request:.3f} ms/request (client "
                        f"{outcome.client_cpu_ms_per_request:.3f}, PostgreSQL "
                        f"{database / max(outcome.done, 1) * 1000:.3f}), p50 "
                        f"{outcome.median_ms:.1f} ms, p99 {p99:.1f} ms ({outcome.failed} failed)"
                        f"\n    {tail.tail_note(read, before, after, outcome, arguments.clients)}",
                        flush=True,
                    )
        if arguments.profile:
            arguments.profile.mkdir(parents=True, exist_ok=True)
            await profile(sides[0], requests[sides[0].name], arguments)
        print()
        for (read, side_name), values in figures.items():
            cpu, p50, p99 = (statistics.median(column) for column in zip(*values, strict=True))
            print(
                f"{read:6} {side_name:14} median of {len(values)}: CPU {cpu:.3f} ms/request, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
            )
        if len(sides) == 2:  # round by round: a busy machine weighs on both sides alike
            for read in arguments.reads:
                mine, theirs = figures[(read, sides[0].name)], figures[(read, sides[1].name)]
                ratios = [m[0] / t[0] for m, t in zip(mine, theirs, strict=True)]
                shown = ", ".join(f"{r:.2f}" for r in ratios)
                print(
                    f"{read}: CPU this checkout / baseline, round by round: {shown};"
                    f" median {statistics.median(ratios):.2f}"
                )
    finally:
        for side in sides:
            side.stack.stop()
            shutil.rmtree(side.stack.root, ignore_errors=True)


async def profile(side: Side, requests: dict[str, Request], arguments: argparse.Namespace) -> None:
    out: Path = arguments.profile
    process = side.stack.services["certification"]
    for read in arguments.reads:
        recorder = await asyncio.create_subprocess_exec(
            *[py_spy_command(), "record", "--pid", str(process.pids()[0])],
            *["--duration", str(int(arguments.seconds)), "--rate", "250", "--format", "raw"],
            *["--output", str(out / f"{read}.txt"), "--nonblocking"],
        )
        await asyncio.sleep(0.5)
        outcome = await closed_loop(
            arguments.clients, arguments.seconds + 0.5, requests[read], process.cpu_seconds
        )
        await recorder.wait()
        print(f"profile of {read} ({outcome.cpu_ms_per_request:.3f} ms/request): {out}/{read}.txt")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reads", nargs="+", choices=sorted(ROUTES), default=list(ROUTES))
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--profile", type=Path)
    run_on_uvloop(run(parser.parse_args()))
