"""Ctrl-C during the demo seed stops it cleanly: no task left holding an exception."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from system.demo_history.local import run_interruptibly


class Stopped(Exception):
    pass


def stop(_signum: int, _frame: FrameType | None) -> None:
    raise Stopped


@pytest.fixture
def make_runs_handler() -> Iterator[None]:
    """`make run`'s own SIGTERM handler, as its supervisor installs it."""
    previous = signal.signal(signal.SIGTERM, stop)
    yield
    signal.signal(signal.SIGTERM, previous)


async def interrupted_seed(started: list[bool]) -> int:
    started.append(True)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(30)
    return 1


def test_a_signal_during_the_seed_cancels_it_and_stops_make_run_cleanly(
    make_runs_handler: None, caplog: pytest.LogCaptureFixture
) -> None:
    started: list[bool] = []

    with pytest.raises(KeyboardInterrupt):
        run_interruptibly(interrupted_seed(started))
    gc.collect()  # an unretrieved task exception is reported when the task is collected

    assert started == [True]
    assert signal.getsignal(signal.SIGTERM) is stop  # make run's handler is back
    assert "exception was never retrieved" not in caplog.text


def test_a_seed_that_finishes_returns_its_result_and_leaves_the_handlers() -> None:
    async def seed() -> str:
        return "seeded"

    before = signal.getsignal(signal.SIGINT)
    assert run_interruptibly(seed()) == "seeded"
    assert signal.getsignal(signal.SIGINT) is before
