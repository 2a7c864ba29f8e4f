"""Worker processes start only when asked, and never outlive the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared.worker_processes import WorkerProcesses

ROOT = Path(__file__).resolve().parents[3]

SERVICE = """
import os, time
from shared.worker_processes import WorkerProcesses

workers = WorkerProcesses(1)
print(workers.executor().submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def exited(pid: int) -> bool:
    """Whether the process is gone (reaped, or a zombie waiting for its reaper)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_starts_no_process_before_work_is_handed_over_and_none_when_configured_with_none() -> None:
    assert not WorkerProcesses(2).started
    assert WorkerProcesses(0).executor() is None


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
        deadline = time.monotonic() + 10
        while not exited(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert exited(worker)
    finally:
        service.kill()
        service.wait(10)
