"""Worker processes for a service's pure CPU work (a rebuild's folds), beside its event loop.

A `WorkerProcesses` starts its `ProcessPoolExecutor` on first use, not at start-up (most
service processes never need it), and the service shuts it down when it stops. Workers
are spawned, not forked: a fresh interpreter inherits none of the parent's sockets,
threads or locks. Each one watches its parent and exits when the parent is gone, so a
service killed outright (SIGKILL, OOM) leaves no orphan behind.

Work handed to them must be a module-level function of picklable, compact arguments:
the pickling is paid on the event loop's thread.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

PARENT_CHECK_SECONDS = 1.0


class WorkerProcesses:
    """A lazily started pool of ``count`` worker processes (0: none, work runs inline)."""

    def __init__(self, count: int, preload: tuple[str, ...] = ()) -> None:
        self.count = count
        self.preload = preload  # modules each worker imports as it starts
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> Executor | None:
        """The pool, started now if it is not running; None when configured with none."""
        if self.count <= 0:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(), self.preload),
            )
            for _ in range(self.count):  # each spawns a worker now, which imports meanwhile
                self._executor.submit(_ready)
        return self._executor

    @property
    def started(self) -> bool:
        return self._executor is not None

    def discard(self) -> None:
        """Drop a broken pool (a worker died): the next `executor()` starts a new one."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the workers and wait for them to exit (the service is stopping)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent_pid: int, preload: tuple[str, ...]) -> None:
    """In each worker: watch the parent, import what the work needs."""
    _watch_parent(parent_pid)
    for module in preload:
        importlib.import_module(module)


def _ready() -> None:
    """Nothing: submitted once per worker to start it."""


def _watch_parent(parent_pid: int) -> None:
    """Exit as soon as the parent process is gone (the worker was reparented)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
