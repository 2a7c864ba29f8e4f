"""The kernel supervisor, without servers: no background task dies silently."""

from __future__ import annotations

import asyncio
import contextlib

from shared.supervisor import Backoff, Supervisor
from shared.testing.waiting import eventually

FAST = Backoff(initial=0.01, ceiling=0.05, healthy_after=60.0)


async def test_a_task_that_raises_is_restarted_and_its_error_is_recorded() -> None:
    supervisor = Supervisor("unit", backoff=FAST)
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise ConnectionError(f"lost the connection on run {len(runs)}")
        await asyncio.Event().wait()  # then runs for good

    supervisor.start("flaky", flaky)

    async def third_run() -> bool:
        return len(runs) == 3

    await eventually(third_run, timeout=5)
    state = supervisor.states["flaky"]
    assert state.status == "running"
    assert state.restarts == 2
    assert state.failures == 2
    assert state.last_error == "ConnectionError: lost the connection on run 2"
    await supervisor.stop()
    assert supervisor.states["flaky"].status == "stopped"


async def test_a_task_that_returns_is_restarted_too() -> None:
    supervisor = Supervisor("unit", backoff=FAST)
    runs: list[int] = []

    async def returns_at_once() -> None:
        runs.append(1)

    supervisor.start("returns", returns_at_once)

    async def restarted() -> bool:
        return len(runs) >= 3

    await eventually(restarted, timeout=5)
    assert "returned" in (supervisor.states["returns"].last_error or "")
    await supervisor.stop()


async def test_a_failing_periodic_round_is_counted_and_the_next_round_still_runs() -> None:
    supervisor = Supervisor("unit", backoff=FAST)
    rounds: list[int] = []

    async def job() -> None:
        rounds.append(1)
        if len(rounds) == 1:
            raise ValueError("first round fails")

    supervisor.start_periodic("job", 0.01, job)

    async def later_rounds() -> bool:
        return len(rounds) >= 3

    await eventually(later_rounds, timeout=5)
    state = supervisor.states["job"]
    assert state.failures == 1
    assert state.restarts == 0  # the loop itself never ended
    assert state.last_error == "ValueError: first round fails"
    await supervisor.stop()


async def test_stopping_cancels_a_task_even_while_it_waits_to_restart() -> None:
    supervisor = Supervisor("unit", backoff=Backoff(initial=30.0, ceiling=30.0))

    async def fails() -> None:
        raise RuntimeError("boom")

    supervisor.start("fails", fails)

    async def restarting() -> bool:
        return supervisor.states["fails"].status == "restarting"

    await eventually(restarting, timeout=5)
    async with asyncio.timeout(2):
        await supervisor.stop()
    assert supervisor.states["fails"].status == "stopped"


def test_backoff_doubles_to_its_ceiling() -> None:
    backoff = Backoff(initial=0.5, ceiling=4.0)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


async def _swallow_cancellation(work: asyncio.Event) -> None:
    """A job some library makes deaf to cancellation: it hides the cancel and returns."""
    work.set()
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        return


async def test_stopping_ends_a_periodic_job_whose_round_swallowed_the_cancel() -> None:
    supervisor = Supervisor("svc")
    working = asyncio.Event()
    supervisor.start_periodic("deaf", 0.5, lambda: _swallow_cancellation(working))
    await asyncio.wait_for(working.wait(), 5)

    await asyncio.wait_for(supervisor.stop(), 5)

    assert supervisor.states["deaf"].status == "stopped"


async def test_stopping_ends_a_task_that_swallowed_the_cancel_and_returned() -> None:
    supervisor = Supervisor("svc", backoff=Backoff(initial=30, ceiling=30))
    working = asyncio.Event()
    supervisor.start("deaf", lambda: _swallow_cancellation(working))
    await asyncio.wait_for(working.wait(), 5)

    await asyncio.wait_for(supervisor.stop(), 5)

    assert supervisor.states["deaf"].status == "stopped"
    assert supervisor.states["deaf"].failures == 0  # a hidden cancel is a stop, not a failure


async def test_stopping_gives_up_on_a_task_that_never_ends_and_says_which() -> None:
    supervisor = Supervisor("svc", stop_grace_seconds=0.3)
    working, released = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        working.set()
        while not released.is_set():  # hides every cancel it is sent
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.05)

    supervisor.start("stubborn", stubborn)
    await asyncio.wait_for(working.wait(), 5)

    await asyncio.wait_for(supervisor.stop(), 5)

    assert supervisor.states["stubborn"].status == "stuck"
    released.set()  # let it end, so it does not outlive the test
