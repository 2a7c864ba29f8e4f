"""Figure 1's writes in instructions: a service's CPU per create as valgrind counts it.

Timings on a shared two-core machine move by tens of percent between runs; the number of
instructions a write costs the service does not. The write bench's stack is started and
its agency prepared (tests/bench/writes.py), then each service named is started again
under valgrind's callgrind with instrumentation off (so it starts in seconds), and
`--requests` of its main create are sent one at a time after a warm-up with
instrumentation on; the instructions counted in the service process are divided by them.
PostgreSQL's and the kernel's work is not counted (valgrind sees the service's user space
only), nor certification's intake of the events.

`python -m tests.bench.write_instructions [--services fidelity learning] [--requests 200]
[--baseline DIR] [--keep DIR]`

`--baseline DIR`: the same with another checkout's services (its own stack).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tests.bench.callgrind import counted, restart_under_callgrind, start_counting
from tests.bench.http_client import KeepAliveClient
from tests.bench.load import run_on_uvloop
from tests.bench.processes import BenchStack
from tests.bench.write_cpu import RootedProcess
from tests.bench.writes import MAIN_CREATE, Writes


async def measure(root: Path | None, arguments: argparse.Namespace, label: str) -> dict[str, float]:
    stack = BenchStack()
    try:
        if root is not None:
            for service, process in stack.services.items():
                stack.services[service] = RootedProcess(
                    process.name, process.command, process.log_path, process.port, root=root
                )
        stack.start_servers()
        stack.start_services()
        urls = {name: process.url for name, process in stack.services.items()}
        writes = Writes(urls, stack.secret, 1)
        await writes.prepare()
        out = arguments.keep or stack.root
        out.mkdir(parents=True, exist_ok=True)
        figures: dict[str, float] = {}
        for service in arguments.services:
            process = stack.services[service]
            plain = process.command
            name = f"{label}-{service}"
            pid = restart_under_callgrind(process, stack.environment(), out, name)
            write = writes.request(service)
            client = KeepAliveClient(timeout=600)
            try:
                for step in range(5):  # warm-up: prepared statements, caches, a connection
                    assert await write(client, 0, step), f"{service}: a write failed"
                start_counting(pid)
                for step in range(5, 5 + arguments.requests):
                    assert await write(client, 0, step), f"{service}: a write failed"
                figures[service] = counted(pid, out, name, service) / arguments.requests
                print(
                    f"{label}: {MAIN_CREATE[service]}: {figures[service]:,.0f} instructions/write",
                    flush=True,
                )
            finally:
                await client.aclose()
                process.stop()
                process.command = plain
        return figures
    finally:
        stack.stop()
        shutil.rmtree(stack.root, ignore_errors=True)


async def run(arguments: argparse.Namespace) -> None:
    mine = await measure(None, arguments, "this")
    if arguments.baseline:
        theirs = await measure(arguments.baseline, arguments, "baseline")
        for service in arguments.services:
            print(
                f"{MAIN_CREATE[service]}: this checkout {mine[service]:,.0f}, baseline "
                f"{theirs[service]:,.0f} instructions/write "
                f"({mine[service] / theirs[service]:.3f}x)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--services",
        nargs="+",
        choices=sorted(MAIN_CREATE),
        default=["learning", "coaching", "fidelity", "certification"],
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--keep", type=Path)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on the PATH")
    run_on_uvloop(run(parser.parse_args()))
