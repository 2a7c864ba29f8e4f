"""Practice dates: when something happened in practice, always timezone-aware UTC.

Every learning rule (enrollment order, mastery order, review spacing, lapse) runs on
the practice date, never on the time of recording. The ``fsrs`` scheduler refuses any
tzinfo but UTC (a valid ``+02:00`` timestamp from an LMS would crash it), so every
date entering the domain is normalised to UTC here, once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BeforeValidator

from services.learning.domain.errors import (
    NaivePracticeDateError,
    PracticeDateInFutureError,
    PracticeDateOutOfRangeError,
)


def as_utc(value: datetime) -> datetime:
    """The same instant with ``timezone.utc``; a naive datetime is refused, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaivePracticeDateError(value)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:  # year 1 east of UTC, year 9999 west of it
        raise PracticeDateOutOfRangeError(value) from error


def _coerce_practice_date(value: object) -> object:
    # ISO strings (JSON input) are parsed here too, so that a naive one raises the
    # domain error instead of pydantic accepting it as a naive datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return as_utc(value)
    return value


PracticeDate = Annotated[datetime, BeforeValidator(_coerce_practice_date)]
"""A datetime field normalised to UTC; naive values raise :class:`NaivePracticeDateError`."""


def refuse_future(happened_at: datetime, now: datetime) -> datetime:
    """Return the practice date in UTC, refusing one later than ``now``.

    The clock is a parameter so that the rule stays pure; the edge passes its clock.
    """
    happened = as_utc(happened_at)
    if happened > as_utc(now):
        raise PracticeDateInFutureError(happened, now)
    return happened
