"""The practice date of a record: may lie in the past (imports, late entry), never ahead.

Every rule (windows, spacing, expiry, lapse) runs on the practice date, not on the time
the record was written. A small tolerance absorbs clock skew between an agency's
systems and ours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from shared.problems import Unprocessable

CLOCK_SKEW = timedelta(minutes=5)


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_practice_datetime(value: date | datetime) -> datetime:
    """A date becomes noon UTC of that day (so time zones never move it a day)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(12, 0), tzinfo=UTC)


def refuse_future(value: date | datetime, field: str, *, now: datetime | None = None) -> None:
    """Raise a 422 problem naming `field` when the practice date lies in the future."""
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
