"""A bench service counted in instructions under valgrind's callgrind.

The service restarts under callgrind with instrumentation off (so it starts in seconds,
not minutes); around the work to count, instrumentation is turned on and its counters
zeroed, then dumped and turned off again, and the instructions of the dumps are summed.
Used by `read_instructions` and `write_instructions`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.bench.processes import Process

_TOTALS = re.compile(rb"^summary:\s+(\d+)", re.MULTILINE)


def restart_under_callgrind(
    process: Process, environment: dict[str, str], out: Path, name: str
) -> str:
    """Restart ``process`` under callgrind, its dumps written to ``out`` as ``name.*``;
    its pid. The caller keeps the command it had, to restore it when done."""
    process.stop()
    process.command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}/{name}.%p.callgrind",
        *process.command,
    ]
    process.start(environment)
    process.wait_ready(timeout=600)
    return str(process.child.pid if process.child else 0)


def start_counting(pid: str) -> None:
    """Count the instructions of the process ``pid`` from now on, from zero."""
    _control(pid, "--instr=on")
    _control(pid, "--zero")


def counted(pid: str, out: Path, name: str, dump: str) -> int:
    """The instructions the process ``pid`` spent since `start_counting`; counting stops."""
    before = set(out.glob(f"{name}.*"))
    _control(pid, f"--dump={dump}")
    _control(pid, "--instr=off")
    dumped = sorted(set(out.glob(f"{name}.*")) - before)
    return sum(int(m) for f in dumped for m in _TOTALS.findall(f.read_bytes()))


def _control(pid: str, option: str) -> None:
    subprocess.run(["callgrind_control", option, pid], check=True, capture_output=True)
