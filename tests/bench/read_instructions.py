"""Figure 3's reads in instructions: certification's CPU per request as valgrind counts it.

Timings on a shared two-core machine move by tens of percent between runs; the number of
instructions a request costs the service does not. One agency of `--practitioners` is
loaded and rebuilt as `read_cpu` does it, then certification is started again under
valgrind's callgrind with instrumentation off (so it starts in seconds, not minutes), and
for each read (`state`, `board`, `board_pages`, `ping`: tests/bench/reads.py)
instrumentation is turned on, `--requests` requests are sent (one at a time by default)
after a warm-up, and the instructions counted in the service process are divided by them.
PostgreSQL's and the kernel's work is not counted (valgrind sees the service's user space
only).

`python -m tests.bench.read_instructions [--practitioners 1000] [--requests 200]
[--clients 1] [--reads state board board_pages] [--baseline DIR] [--keep DIR]`

`--clients N`: N closed loops share the requests (a read that N callers ask at once may
cost each less than one asked alone).

`--baseline DIR`: the same with another checkout's certification on the same data (its
own stack); `--keep DIR`: the callgrind files, for `callgrind_annotate`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from datetime import date
from pathlib import Path

import httpx

from tests.bench import dataset
from tests.bench.callgrind import counted, restart_under_callgrind, start_counting
from tests.bench.http_client import KeepAliveClient
from tests.bench.load import run_on_uvloop
from tests.bench.processes import BenchStack, schema_of
from tests.bench.read_cpu import UPSTREAM
from tests.bench.reads import certification_reads
from tests.bench.write_cpu import RootedProcess
from tests.bench.writes import Tokens


async def measure(root: Path | None, arguments: argparse.Namespace, label: str) -> dict[str, float]:
    stack = BenchStack()
    try:
        certification = stack.services["certification"]
        if root is not None:
            for service, process in stack.services.items():
                stack.services[service] = RootedProcess(
                    process.name, process.command, process.log_path, process.port, root=root
                )
            certification = stack.services["certification"]
        stack.start_servers()
        stack.start_services()
        shape = dataset.Shape(1, arguments.practitioners)
        schema = schema_of("certification")
        await dataset.load(
            stack.database_url, schema, [schema_of(s) for s in UPSTREAM], shape, date.today()
        )
        agency = shape.agency(0)
        headers = Tokens(stack.secret, agency)()
        async with httpx.AsyncClient(timeout=600) as http:
            answer = await http.post(f"{certification.url}/projections/rebuild", headers=headers)
            answer.raise_for_status()
        for service in UPSTREAM:
            stack.services[service].stop()
        out = arguments.keep or stack.root
        out.mkdir(parents=True, exist_ok=True)
        pid = restart_under_callgrind(certification, stack.environment(), out, label)
        reads = certification_reads(certification.url, headers, shape.practitioners_per_agency)
        figures: dict[str, float] = {}
        clients = [KeepAliveClient(timeout=600) for _ in range(arguments.clients)]
        each = max(1, arguments.requests // arguments.clients)
        try:
            for read in arguments.reads:

                async def loop(worker: int, steps: int, read: str = read) -> None:
                    for step in range(steps):
                        assert await reads[read](clients[worker], worker, step), f"{read} failed"

                # warm-up: prepared statements, caches, a connection per client
                await asyncio.gather(*(loop(w, 2) for w in range(arguments.clients)))
                start_counting(pid)
                await asyncio.gather(*(loop(w, each) for w in range(arguments.clients)))
                figures[read] = counted(pid, out, label, read) / (each * arguments.clients)
                print(f"{label}: {read}: {figures[read]:,.0f} instructions/request", flush=True)
        finally:
            for client in clients:
                await client.aclose()
        return figures
    finally:
        stack.stop()
        shutil.rmtree(stack.root, ignore_errors=True)


async def run(arguments: argparse.Namespace) -> None:
    mine = await measure(None, arguments, "this")
    if arguments.baseline:
        theirs = await measure(arguments.baseline, arguments, "baseline")
        for read in arguments.reads:
            print(
                f"{read}: this checkout {mine[read]:,.0f}, baseline {theirs[read]:,.0f}"
                f" instructions/request ({mine[read] / theirs[read]:.3f}x)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument(
        "--reads",
        nargs="+",
        choices=["state", "board", "board_pages", "ping"],
        default=["state", "board"],
    )
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--keep", type=Path)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on the PATH")
    run_on_uvloop(run(parser.parse_args()))
