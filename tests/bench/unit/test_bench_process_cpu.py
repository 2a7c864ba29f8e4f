"""The bench's CPU of a service counts its worker processes also after they exit."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.bench.processes import Process

# a parent that starts a busy child, waits for it, then idles: like a service whose fold
# worker does its work and leaves
BUSY_CHILD = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
PARENT = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", {BUSY_CHILD!r}])
print("child done", flush=True)
time.sleep(30)
"""


def test_a_service_keeps_the_cpu_of_a_worker_that_exited(tmp_path: Path) -> None:
    process = Process("parent", [sys.executable, "-c", PARENT], tmp_path / "parent.log", 0)
    process.start({})
    try:
        deadline = time.monotonic() + 30
        while "child done" not in (tmp_path / "parent.log").read_text():
            assert time.monotonic() < deadline, "the child never finished"
            time.sleep(0.05)
        assert process.child is not None
        assert process.pids() == [process.child.pid]  # the worker is gone
        assert process.cpu_seconds() >= 0.5
    finally:
        process.stop()
