"""Today's practice date, injectable: the system clock in production, a set date in tests.

Every evaluation the service stores or publishes is "as of today"; tests move today
forward to watch time alone lapse a certification.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from shared.extras import RuntimeExtra
from shared.practice_time import now_utc


class Clock(Protocol):
    def today(self) -> date: ...


class SystemClock:
    def today(self) -> date:
        return now_utc().date()


class SettableClock:
    """A clock that shows a date until told another (tests, demos, replays)."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def set(self, today: date) -> None:
        self._today = today


# where the composition root puts the service's clock, and handlers read it
CLOCK: RuntimeExtra[Clock] = RuntimeExtra("clock")
