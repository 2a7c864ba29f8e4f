"""Worker processes for a service's pure CPU work (a rebuild's folds), beside its event loop.

A `WorkerProcesses` starts its `ProcessPoolExecutor` on first use, not at start-up (most
service processes never need it), lets it go when it has been idle a while, and the
service shuts it down when it stops. Workers
are spawned, not forked: a fresh interpreter inherits none of the parent's sockets,
threads or locks. Each one watches its parent and exits when the parent is gone, so a
service killed outright (SIGKILL, OOM) leaves no orphan behind.

Work handed to them must be a module-level function of picklable, compact arguments:
the pickling is paid on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

PARENT_CHECK_SECONDS = 1.0


class WorkerProcesses:
    """A lazily started pool of ``count`` worker processes (0: none, work runs inline).

    Work takes a `lease`; the workers stay while any lease is held, and exit
    ``idle_seconds`` after the last one ends (None: only at `shutdown`), so a service
    holds their memory only while it has work for them."""

    def __init__(
        self, count: int, preload: tuple[str, ...] = (), idle_seconds: float | None = None
    ) -> None:
        self.count = count
        self.preload = preload  # modules each worker imports as it starts
        self.idle_seconds = idle_seconds
        self._executor: ProcessPoolExecutor | None = None
        self._leases = 0
        self._retiring: asyncio.TimerHandle | None = None
        self._exiting: list[threading.Thread] = []  # each joins a pool let go

    @contextlib.contextmanager
    def lease(self) -> Iterator[Executor | None]:
        """The pool for one piece of work, started now if it is not running (its workers
        import meanwhile); None when configured with none. Call it on the event loop."""
        if self.count <= 0:
            yield None
            return
        if self._retiring is not None:
            self._retiring.cancel()
            self._retiring = None
        self._leases += 1
        try:
            yield self._started()
        finally:
            self._leases -= 1
            if self._leases == 0 and self.idle_seconds is not None:
                self._retiring = asyncio.get_running_loop().call_later(
                    self.idle_seconds, self._retire
                )

    def _started(self) -> ProcessPoolExecutor:
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

    def _retire(self) -> None:
        """Idle long enough: let the workers exit (without waiting on the event loop)."""
        self._retiring = None
        if self._leases == 0:
            self._let_go(cancel=False)

    def discard(self) -> None:
        """Drop a broken pool (a worker died): the next lease starts a new one."""
        self._let_go(cancel=True)

    def _let_go(self, cancel: bool) -> None:
        """Stop the pool, its workers joined by a thread of their own (not the loop's)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        executor.shutdown(wait=False, cancel_futures=cancel)
        joining = threading.Thread(target=executor.shutdown, name="worker-processes-exit")
        joining.start()
        self._exiting = [thread for thread in self._exiting if thread.is_alive()] + [joining]

    def shutdown(self) -> None:
        """Stop the workers and wait for them to exit (the service is stopping)."""
        if self._retiring is not None:
            self._retiring.cancel()
            self._retiring = None
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        exiting, self._exiting = self._exiting, []
        for thread in exiting:  # pools let go before: their workers may still be exiting
            thread.join()


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
