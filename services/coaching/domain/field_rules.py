"""The small field rules every coaching record shares: practice dates, ids and text.

A record carries the date it happened in practice. Agencies import years of history
and coaches log sessions days later, so any past date is fine; only a date after
``today`` (the agency's calendar day, supplied by the caller) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.coaching.domain.errors import InvalidFieldError


def ensure_not_in_future(practice_date: date, *, today: date, field: str) -> None:
    """Raise ``InvalidFieldError`` when ``practice_date`` lies after ``today``."""
    if practice_date > today:
        raise InvalidFieldError(
            field,
            f"{practice_date.isoformat()} is in the future (today is {today.isoformat()}); "
            "record what already happened, with the date it happened",
        )


def ensure_present(value: str, *, field: str) -> str:
    """Return ``value`` without surrounding blanks, or raise when nothing is left.

    Used for ids and free text alike: an id of spaces is as unusable as an empty one.
    """
    stripped = value.strip()
    if not stripped:
        raise InvalidFieldError(field, f"{field} is empty; provide a non-blank value")
    return stripped


def ensure_list(raw: Sequence[str], *, field: str) -> list[str]:
    """``raw`` as a list; a bare string is refused rather than read letter by letter."""
    # A str is a Sequence[str] too, so the type checker cannot catch this one.
    if isinstance(raw, str):
        raise InvalidFieldError(field, f"{field} must be a list of values, not the string {raw!r}")
    return list(raw)
