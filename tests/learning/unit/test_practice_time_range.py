"""Practice datetimes at the ends of the calendar are refused, never an OverflowError."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.learning.domain.errors import PracticeDateOutOfRangeError
from services.learning.domain.practice_time import as_utc


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_datetime_that_cannot_be_moved_to_utc_is_refused(value: str) -> None:
    with pytest.raises(PracticeDateOutOfRangeError):
        as_utc(datetime.fromisoformat(value))
