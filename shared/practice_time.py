"""The practice date of a record: may lie in the past (imports, late entry), never ahead.

Every rule (windows, spacing, expiry, lapse) runs on the practice date, not on the time
the record was written. A small tolerance absorbs clock skew between an agency's
systems and ours.

One range for every date and datetime the four services take, so nothing one service
accepts is refused (or dropped) by another: `PracticeDate` is 1900-01-01 to today,
`CalendarDate` (a planned date, a filter bound, an "as of") 1900-01-01 to 2100-12-31,
and `Moment` / `PracticeMoment` the same ranges as timezone-aware datetimes, a
timezone required. Outside the range is a 422 naming the field, never an
OverflowError from date arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _calendar_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"a date from {EARLIEST_DATE} to {LATEST_DATE} is expected")
    return value


def _practice_date(value: date) -> date:
    # the upper bound allows a day of time-zone difference; each service then refuses
    # the future against its own clock, with its own message
    if value < EARLIEST_DATE:
        raise ValueError(f"a practice date from {EARLIEST_DATE} to today is expected")
    if value > (now_utc() + timedelta(days=1)).date():
        raise ValueError(
            f"{value.isoformat()} is in the future; "
            "record what happened in practice, dated when it happened"
        )
    return value


def _moment(value: datetime) -> datetime:
    # compared on the wall-clock date first: converting year 1 or 9999 to UTC overflows
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a timezone is required (e.g. 2025-03-01T09:30:00+01:00 or ...Z)")
    wall = value.replace(tzinfo=None)
    if not EARLIEST_DATE + timedelta(days=1) <= wall.date() <= LATEST_DATE - timedelta(days=1):
        raise ValueError(f"a datetime from {EARLIEST_DATE} to {LATEST_DATE} is expected")
    return value


def _practice_moment(value: datetime) -> datetime:
    _moment(value)
    if value > now_utc() + timedelta(days=1):
        raise ValueError(
            f"{value.isoformat()} is in the future; "
            "record what happened in practice, dated when it happened"
        )
    return value


PracticeDate = Annotated[date, AfterValidator(_practice_date)]
CalendarDate = Annotated[date, AfterValidator(_calendar_date)]
Moment = Annotated[AwareDatetime, AfterValidator(_moment)]
PracticeMoment = Annotated[AwareDatetime, AfterValidator(_practice_moment)]


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_practice_datetime(value: date | datetime) -> datetime:
    """A date becomes noon UTC of that day (so time zones never move it a day)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(12, 0), tzinfo=UTC)


def refuse_future(value: date | datetime, field: str, *, now: datetime | None = None) -> None:
    """Raise a 422 problem naming `field` when the practice date lies in the future."""
    # imported here: the pure folds (and a rebuild's worker processes) use this module's
    # dates, and the problems module brings FastAPI, half a second to import
    from shared.problems import Unprocessable

    current = now or now_utc()
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if moment > current + CLOCK_SKEW:
            raise Unprocessable(
                f"{field} {moment.isoformat()} is in the future; "
                "record what happened in practice, dated when it happened"
            )
    elif value > (current + CLOCK_SKEW).date():
        raise Unprocessable(
            f"{field} {value.isoformat()} is in the future; "
            "record what happened in practice, dated when it happened"
        )
