"""One supervisor for every background task of a service: relay, consumers, clock, jobs.

A background task that dies silently stops the event flow while every probe still says
ready. So no task runs bare: the supervisor runs each one in a loop, and whenever it
raises (or returns, which a forever-task must not do) it logs the error with its cause,
counts it, and starts it again after a backoff that grows to a ceiling and resets once
the task has run well for a while. Each task's state (running, restarting, stopped; its
restarts and last error) is read by `/readyz` and `/metrics`.
"""

from __future__ import annotations

import asyncio
import io
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import structlog

log = structlog.get_logger(__name__)

TaskStatus = Literal["starting", "running", "restarting", "stopped", "stuck"]


def being_cancelled() -> bool:
    """Whether the current task has been asked to stop (even if a library hid it)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@dataclass
class TaskState:
    """What the supervisor knows of one task; read by `/readyz` and `/metrics`."""

    name: str
    status: TaskStatus = "starting"
    restarts: int = 0
    failures: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    started_at: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "since": self.started_at.isoformat() if self.started_at else None,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
        }


@dataclass
class Backoff:
    """Delay before restart number n: initial x 2^n, capped; reset after a healthy run."""

    initial: float = 0.5
    ceiling: float = 30.0
    healthy_after: float = 60.0

    def delay(self, consecutive_failures: int) -> float:
        exponent = min(max(consecutive_failures - 1, 0), 16)
        return float(min(self.initial * 2**exponent, self.ceiling))


@dataclass
class Supervisor:
    """Runs named forever-tasks and restarts any that fails; `stop()` cancels them all."""

    service: str
    backoff: Backoff = field(default_factory=Backoff)
    # how long stop() waits for a task that hid its cancel before it gives up on it
    stop_grace_seconds: float = 10.0
    states: dict[str, TaskState] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        if name in self._tasks:
            raise ValueError(f"a task named {name!r} is already supervised")
        state = TaskState(name=name)
        self.states[name] = state
        self._tasks[name] = asyncio.create_task(self._keep_running(state, run), name=name)

    async def _keep_running(self, state: TaskState, run: Callable[[], Awaitable[None]]) -> None:
        consecutive = 0
        while True:
            began = time.monotonic()
            state.status = "running"
            state.started_at = datetime.now(UTC)
            try:
                await run()
                if being_cancelled():  # it hid our cancel and returned: that is a stop
                    raise asyncio.CancelledError
                error: BaseException = RuntimeError("the task returned; it should run forever")
            except asyncio.CancelledError:
                state.status = "stopped"
                raise
            except Exception as caught:
                if being_cancelled():  # a library turned our cancel into an error: stop
                    state.status = "stopped"
                    raise asyncio.CancelledError from caught
                error = caught
            if time.monotonic() - began >= self.backoff.healthy_after:
                consecutive = 0
            consecutive += 1
            delay = self.backoff.delay(consecutive)
            state.status = "restarting"
            state.failures += 1
            state.last_error = _describe(error)
            state.last_error_at = datetime.now(UTC)
            log.error(
                "task_failed",
                service=self.service,
                task=state.name,
                error=state.last_error,
                cause=repr(error.__cause__ or error.__context__),
                restart_in_seconds=delay,
                failures=state.failures,
                # the stack as text, without local variables (they may hold secrets)
                stack="".join(traceback.format_exception(error, chain=True, limit=12)),
            )
            await asyncio.sleep(delay)
            state.restarts += 1

    def start_periodic(
        self, name: str, interval: float, job: Callable[[], Awaitable[None]]
    ) -> None:
        """A periodic job: run, wait `interval`, run again. A failing round is logged and
        counted, and the next round runs on schedule (the period is its retry)."""

        async def rounds() -> None:
            state = self.states[name]
            while True:
                try:
                    await job()
                    if being_cancelled():  # the round hid our cancel: stop, do not sleep on
                        raise asyncio.CancelledError
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    if being_cancelled():
                        raise asyncio.CancelledError from error
                    state.failures += 1
                    state.last_error = _describe(error)
                    state.last_error_at = datetime.now(UTC)
                    log.warning(
                        "periodic_job_failed",
                        service=self.service,
                        task=name,
                        error=state.last_error,
                        cause=repr(error.__cause__ or error.__context__),
                    )
                await asyncio.sleep(interval)

        self.start(name, rounds)

    async def stop(self) -> None:
        """Cancel every task and wait for them; a task that keeps hiding its cancel is
        cancelled again until the grace runs out, then logged with its stack and left."""
        pending = set(self._tasks.values())
        deadline = time.monotonic() + self.stop_grace_seconds
        while pending and time.monotonic() < deadline:
            for task in pending:
                task.cancel()
            # asyncio.wait never cancels or hides the tasks it waits for, nor our own cancel
            _, pending = await asyncio.wait(pending, timeout=min(0.5, self.stop_grace_seconds))
        for name, task in self._tasks.items():
            state = self.states[name]
            if task in pending:
                state.status = "stuck"
                where = io.StringIO()
                task.print_stack(limit=12, file=where)
                log.error(
                    "task_stuck_at_stop", service=self.service, task=name, stack=where.getvalue()
                )
            else:
                state.status = "stopped"
        self._tasks.clear()


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 500 else text[:497] + "..."
