"""One kind of a practitioner's evidence in practice-date order, sliced by bisection.

The timeline (timeline.py) keeps one series per kind; the replay asks "how many by
day d?" on every checkpoint day, so that question is a bisection bound to the dates.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Any)


class Series(Generic[T]):
    """Items of one kind in a fixed order whose first component is the practice date."""

    def __init__(self, items: Iterable[T], order: Callable[[T], tuple[Any, ...]]) -> None:
        self.items: tuple[T, ...] = tuple(sorted(items, key=order))
        self._dates = [item.occurred_on for item in self.items]
        # How many items are dated on or before a day: ``until(day)`` is that prefix.
        # A bisection bound to the dates (no Python frame: the replay asks it all the time).
        self.count_until: Callable[[date], int] = partial(bisect_right, self._dates)

    def until(self, on: date) -> Sequence[T]:
        return self.items[: bisect_right(self._dates, on)]

    def between(self, first: date, on: date) -> Sequence[T]:
        """The items dated from ``first`` to ``on``, both included."""
        return self.items[bisect_left(self._dates, first) : bisect_right(self._dates, on)]

    def first_from(self, on: date) -> int:
        """The index of the first item dated on or after ``on``."""
        return bisect_left(self._dates, on)


# The practice date, then the event id: what most series are ordered by.
by_date = attrgetter("occurred_on", "event_id")
_NO_ITEMS: Series[Any] = Series((), by_date)  # what every absent kind shares (read only)


def series(items: Sequence[T], order: Callable[[T], tuple[Any, ...]]) -> Series[T]:
    """The items as a series in ``order`` (no items: one empty series every kind shares)."""
    return Series(items, order) if items else _NO_ITEMS
