"""Worker processes start only when asked, leave when idle, never outlive their service."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared.worker_processes import WorkerProcesses

ROOT = Path(__file__).resolve().parents[3]

SERVICE = """
import asyncio, os, time
from shared.worker_processes import WorkerProcesses

async def main():
    with WorkerProcesses(1).lease() as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(120)

asyncio.run(main())
"""


def exited(pid: int) -> bool:
    """Whether the process is gone (reaped, or a zombie waiting for its reaper)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_exited(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not exited(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return exited(pid)


def test_starts_no_process_before_a_lease_and_none_when_configured_with_none() -> None:
    assert not WorkerProcesses(2).started
    with WorkerProcesses(0).lease() as pool:
        assert pool is None


async def test_the_workers_exit_once_idle_and_a_new_lease_starts_others() -> None:
    workers = WorkerProcesses(1, idle_seconds=0.2)
    try:
        with workers.lease() as pool:
            assert pool is not None
            first = await asyncio.wrap_future(pool.submit(os.getpid))
        await asyncio.sleep(0.5)
        assert not workers.started and wait_exited(first)
        with workers.lease() as pool:
            assert pool is not None
            assert await asyncio.wrap_future(pool.submit(os.getpid)) != first
    finally:
        workers.shutdown()


def test_a_worker_exits_when_the_process_that_started_it_is_killed() -> None:
    service = subprocess.Popen(
        [sys.executable, "-c", SERVICE], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert service.stdout is not None
        worker = int(service.stdout.readline())
        assert worker != service.pid and not exited(worker)
        os.kill(service.pid, signal.SIGKILL)  # no shutdown runs: the worker must notice
        service.wait(10)
        assert wait_exited(worker)
    finally:
        service.kill()
        service.wait(10)
